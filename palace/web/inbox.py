"""The member's inbox and the unread badge in the header (polled by static/app.js)."""

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from palace.i18n import N_
from palace.services.messages import channels, contacts, inbox, notice_words, notices
from palace.web import flash
from palace.web.auth import page
from palace.web.errors import back_to
from palace.web.params import path_id
from palace.web.templating import render, request_language


def _member_id(request: Request) -> int:
    return int(request.state.member.id)


@page()
async def inbox_page(request: Request) -> Response:
    found = await inbox.items(member_id=_member_id(request), lang=request_language(request))
    return render(request, "inbox/inbox.html", {"items": found})


@page()
async def badge(request: Request) -> Response:
    """The header's badge alone: what the page asks for every few seconds while in use."""
    count = await inbox.unread(member_id=_member_id(request))
    return render(request, "_inbox_badge.html", {"unread": count})


@page()
async def read_all(request: Request) -> Response:
    await inbox.mark_read(member_id=_member_id(request))
    return RedirectResponse("/inbox", status_code=303)


@page()
async def read_one(request: Request) -> Response:
    notification_id = path_id(request, "notification_id")
    await inbox.mark_read(member_id=_member_id(request), notification_id=notification_id)
    return RedirectResponse("/inbox", status_code=303)


@page()
async def settings_page(request: Request) -> Response:
    found = await contacts.contact(member_id=_member_id(request))
    kinds = [(kind, notice_words.TITLES[kind]) for kind in notices.OUTBOUND_KINDS]
    return render(request, "inbox/settings.html", {"kinds": kinds, "contact": found})


@page()
async def save_settings(request: Request) -> Response:
    form = await request.form()
    kinds = [str(v)[:40] for v in form.getlist("kind")][: len(notices.OUTBOUND_KINDS) + 5]
    back_to(request, "/inbox/settings")
    await channels.choose(member_id=_member_id(request), kinds=kinds)
    flash.add(request, N_("Saved."))
    return RedirectResponse("/inbox", status_code=303)


@page()
async def save_contact(request: Request) -> Response:
    form = await request.form()
    text = {name: str(form.get(name, ""))[:300] for name in ("email", "quiet_start", "quiet_end")}
    picked = [str(v)[:20] for v in form.getlist("channel")][:10]
    back_to(request, "/inbox/settings")
    await contacts.save(member_id=_member_id(request), channels=picked, **text)
    flash.add(request, N_("Saved."))
    return RedirectResponse("/inbox/settings", status_code=303)


routes = [
    Route("/inbox/settings", settings_page, methods=["GET"]),
    Route("/inbox/settings", save_settings, methods=["POST"]),
    Route("/inbox/settings/contact", save_contact, methods=["POST"]),
    Route("/inbox", inbox_page, methods=["GET"]),
    Route("/inbox/badge", badge, methods=["GET"]),
    Route("/inbox/read", read_all, methods=["POST"]),
    Route("/inbox/{notification_id}/read", read_one, methods=["POST"]),
]
