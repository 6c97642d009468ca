"""Administration: accounts, their roles and their status."""

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from palace.i18n import N_
from palace.models import MemberStatus, Role
from palace.services import accounts
from palace.services.errors import ServiceError
from palace.web import flash
from palace.web.auth import page
from palace.web.messages import message
from palace.web.params import path_id
from palace.web.templating import is_htmx, render, request_language


@page(Role.ADMIN)
async def members(request: Request) -> Response:
    query = request.query_params.get("q", "")[:60]
    found = await accounts.search(query=query, limit=100)
    context = {"q": query, "found": found, "roles": list(Role), "statuses": list(MemberStatus)}
    return render(request, "admin/members.html", context)


@page(Role.ADMIN)
async def update_member(request: Request) -> Response:
    member_id = path_id(request, "member_id")
    form = await request.form()
    error, code = None, None
    try:
        changed = await accounts.change_member(
            actor_id=request.state.member.id,
            member_id=member_id,
            field=str(form.get("field", "")),
            value=str(form.get("value", "")),
        )
    except ServiceError as exc:
        if exc.code in ("unknown_member", "unknown_field"):
            raise HTTPException(404 if exc.code == "unknown_member" else 400) from None
        error, code = message(request_language(request), exc.code), exc.code
        changed = await accounts.get_member(member_id=member_id)  # the row as it stays
    if is_htmx(request):
        context = {
            "m": changed,
            "roles": list(Role),
            "statuses": list(MemberStatus),
            "error": error,
        }
        return render(request, "admin/_member_row.html", context, status_code=400 if error else 200)
    if code:
        flash.code(request, code)
    else:
        flash.add(request, N_("Saved."))
    return RedirectResponse("/admin/members", status_code=303)


routes = [
    Route("/admin/members", members, methods=["GET"]),
    Route("/admin/members/{member_id}", update_member, methods=["POST"]),
]
