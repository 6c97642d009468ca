"""Ballot pages: the member's entry page, the desk entering for a member, and the public
pages anyone can open without logging in (a ballot's draw and its file, the verifier,
the fairness figures)."""

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from palace.i18n import N_
from palace.models import Role
from palace.services.fairness import (
    ballot_publish,
    ballot_verify,
    ballot_views,
    ballots,
    queue_views,
)
from palace.services.fairness.ballots import EntryForm
from palace.web import flash
from palace.web.auth import page, public
from palace.web.errors import back_to
from palace.web.messages import message
from palace.web.params import path_id
from palace.web.templating import render, request_language

SAVED = N_("Your entry is saved. You can change or withdraw it until entries close.")
WITHDRAWN = N_("Your entry is withdrawn.")
DESK_SAVED = N_("The entry is saved for the member.")
FIELD_MAX = 60
DESK_ROLES = (Role.DESK, Role.ADMIN)


def _entry_form(form: FormData) -> EntryForm:
    def field(name: str) -> str:
        return str(form.get(name, ""))[:FIELD_MAX]

    choices = [field(f"choice{n}") for n in range(1, ballots.MAX_CHOICES + 1)]
    cards = [field(f"partner{n}") for n in range(1, 4)]
    return EntryForm(choices, cards, any_other_time=form.get("any_other_time") == "1")


@page()
async def index(request: Request) -> Response:
    open_ = await ballots.open_ballots()
    lines = await ballot_views.entry_lines(member_id=request.state.member.id)
    desk = request.state.member.role in DESK_ROLES
    context = {"ballots": open_, "entry_lines": lines, "desk": desk}
    return render(request, "ballots/index.html", context)


@page()
async def entry(request: Request) -> Response:
    shown = await ballot_views.entry_page(
        ballot_id=path_id(request, "ballot_id"), member_id=request.state.member.id
    )
    return render(request, "ballots/entry.html", {"entry_page": shown, "desk": False})


@page()
async def save(request: Request) -> Response:
    ballot_id, member_id = path_id(request, "ballot_id"), request.state.member.id
    back_to(request, f"/ballots/{ballot_id}")
    form = _entry_form(await request.form())
    await ballots.save_entry(ballot_id=ballot_id, member_id=member_id, form=form,
                             actor_id=member_id)  # fmt: skip
    flash.add(request, SAVED)
    return RedirectResponse(f"/ballots/{ballot_id}", status_code=303)


@page()
async def withdraw(request: Request) -> Response:
    ballot_id, member_id = path_id(request, "ballot_id"), request.state.member.id
    back_to(request, f"/ballots/{ballot_id}")
    await ballots.withdraw_from(ballot_id=ballot_id, member_id=member_id, actor_id=member_id)
    flash.add(request, WITHDRAWN)
    return RedirectResponse(f"/ballots/{ballot_id}", status_code=303)


@page(*DESK_ROLES)
async def desk_entry(request: Request) -> Response:
    """The desk enters for a member who has no phone: the same form, with their card."""
    shown = await ballot_views.entry_page(
        ballot_id=path_id(request, "ballot_id"), member_id=request.state.member.id
    )
    return render(request, "ballots/entry.html", {"entry_page": shown, "desk": True})


@page(*DESK_ROLES)
async def desk_save(request: Request) -> Response:
    ballot_id, posted = path_id(request, "ballot_id"), await request.form()
    back_to(request, f"/desk/ballots/{ballot_id}")
    member = await ballots.member_for_card(str(posted.get("card", ""))[:40])
    form, actor_id = _entry_form(posted), request.state.member.id
    await ballots.save_entry(ballot_id=ballot_id, member_id=member.id, form=form,
                             actor_id=actor_id)  # fmt: skip
    flash.add(request, DESK_SAVED)
    return RedirectResponse(f"/desk/ballots/{ballot_id}", status_code=303)


@public
async def draw_page(request: Request) -> Response:
    shown = await ballot_views.draw_page(ballot_id=path_id(request, "ballot_id"))
    context = {"ballot": shown.ballot, "doc": shown.doc, "winners": shown.winners}
    return render(request, "ballots/draw.html", context)


@public
async def draw_file(request: Request) -> Response:
    found = await ballot_publish.ballot(path_id(request, "ballot_id"))
    name = f"ballot-{found.id}-{found.state.value}.json"
    return Response(ballot_publish.as_file(ballot_publish.document(found)),
                    media_type="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})  # fmt: skip


@public
async def verify_form(request: Request) -> Response:
    return render(request, "ballots/verify.html", {"verdict": None, "text": ""})


@public
async def verify(request: Request) -> Response:
    text = str((await request.form()).get("file_text", ""))
    verdict, lang = ballot_verify.verify_text(text), request_language(request)
    reasons = [message(lang, r.code, **r.params) for r in verdict.reasons]
    context = {"verdict": verdict, "reasons": reasons, "text": text}
    return render(request, "ballots/verify.html", context,
                  status_code=200 if verdict.matches else 422)  # fmt: skip


@public
async def fairness(request: Request) -> Response:
    figures, queues = await ballot_views.fairness(), await queue_views.recent()
    return render(request, "ballots/fairness.html", {"figures": figures, "queues": queues})


routes = [
    Route("/ballots", index, methods=["GET"]),
    Route("/ballots/{ballot_id}", entry, methods=["GET"]),
    Route("/ballots/{ballot_id}/entry", save, methods=["POST"]),
    Route("/ballots/{ballot_id}/withdraw", withdraw, methods=["POST"]),
    Route("/ballots/{ballot_id}/draw", draw_page, methods=["GET"]),
    Route("/ballots/{ballot_id}/draw.json", draw_file, methods=["GET"]),
    Route("/desk/ballots/{ballot_id}", desk_entry, methods=["GET"]),
    Route("/desk/ballots/{ballot_id}", desk_save, methods=["POST"]),
    Route("/verify", verify_form, methods=["GET"]),
    Route("/verify", verify, methods=["POST"]),
    Route("/fairness", fairness, methods=["GET"]),
]
