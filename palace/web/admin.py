"""Administration: accounts, their roles and their status.

A change is asked for on the account's own page with a reason (and, for a suspension,
an optional end date), shown back for confirmation, and only then made.
"""

from datetime import timedelta

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from palace.i18n import N_
from palace.models import MemberStatus, Role
from palace.services.accounts import account_status, accounts, admin
from palace.services.core import clock
from palace.services.core.errors import ServiceError
from palace.web import flash
from palace.web.auth import page
from palace.web.errors import attempt
from palace.web.messages import field_messages, message
from palace.web.params import path_id
from palace.web.templating import render, request_language

FORM_FIELDS = ("field", "value", "reason", "until")


@page(Role.ADMIN)
async def members(request: Request) -> Response:
    query = request.query_params.get("q", "")[:60]
    found = await accounts.search(query=query, limit=100)
    return render(request, "admin/members.html", {"q": query, "found": found})


async def _account_page(
    request: Request,
    member_id: int,
    values: dict[str, str] | None = None,
    *,
    change: admin.Change | None = None,
    error: ServiceError | None = None,
) -> Response:
    member = await accounts.get_member(member_id=member_id)
    lang = request_language(request)
    context = {
        "m": member,
        "status": account_status.effective_status(member),
        "held": account_status.account_suspension(member),  # not "suspension": the banner's
        "roles": list(Role),
        "statuses": list(MemberStatus),
        "values": values or {},
        "change": change,
        "errors": field_messages(lang, error) if error else {},
        "error": message(lang, error.code, **error.params) if error else None,
        "tomorrow": clock.today() + timedelta(days=1),
    }
    return render(request, "admin/member.html", context, status_code=400 if error else 200)


@page(Role.ADMIN)
async def member_page(request: Request) -> Response:
    return await _account_page(request, path_id(request, "member_id"))


def _asked(form: FormData) -> admin.Asked:
    """The change the form asks for; a date that cannot be read is an error on its field."""
    values = {key: str(form.get(key, ""))[:400] for key in FORM_FIELDS}
    until = clock.parse_day(values["until"]) if values["until"] else None
    if values["until"] and until is None:
        raise ServiceError("invalid", fields={"until": "suspension_end_invalid"})
    return admin.Asked(values["field"], values["value"], values["reason"], until)


async def _preview_or_apply(actor_id: int, member_id: int, form: FormData) -> admin.Change | None:
    """The change, to be shown back and confirmed; None once it is confirmed and made."""
    asked = _asked(form)
    if form.get("confirmed") != "1":
        return await admin.preview(actor_id=actor_id, member_id=member_id, asked=asked)
    await admin.apply(actor_id=actor_id, member_id=member_id, asked=asked)
    return None


@page(Role.ADMIN)
async def update_member(request: Request) -> Response:
    member_id, form = path_id(request, "member_id"), await request.form()
    values = {key: str(form.get(key, ""))[:400] for key in FORM_FIELDS}
    done = await attempt(_preview_or_apply(request.state.member.id, member_id, form))
    if isinstance(done, ServiceError):
        return await _account_page(request, member_id, values, error=done)
    if done is not None:
        return await _account_page(request, member_id, values, change=done)
    flash.add(request, N_("Saved."))
    return RedirectResponse(f"/admin/members/{member_id}", status_code=303)


routes = [
    Route("/admin/members", members, methods=["GET"]),
    Route("/admin/members/{member_id}", member_page, methods=["GET"]),
    Route("/admin/members/{member_id}", update_member, methods=["POST"]),
]
