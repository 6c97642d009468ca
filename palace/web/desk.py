"""Front desk: find a member, reset a forgotten password, read a booking's code."""

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from palace.models import Role
from palace.services import accounts, tickets
from palace.services.errors import ServiceError
from palace.web.auth import page
from palace.web.messages import message
from palace.web.params import path_id
from palace.web.templating import is_htmx, render, request_language


@page(Role.DESK, Role.ADMIN)
async def lookup(request: Request) -> Response:
    query = request.query_params.get("q", "")[:60]
    found = await accounts.search(query=query, limit=20) if query.strip() else []
    actor = request.state.member
    resettable = {m.id for m in found if accounts.reset_refusal(actor, m) is None}
    name = "desk/_results.html" if is_htmx(request) else "desk/lookup.html"
    return render(request, name, {"q": query, "found": found, "resettable": resettable})


@page(Role.DESK, Role.ADMIN)
async def reset_form(request: Request) -> Response:
    try:
        member = await accounts.get_member(member_id=path_id(request, "member_id"))
    except ServiceError:
        raise HTTPException(404) from None
    return render(request, "desk/reset.html", {"m": member, "error": None})


@page(Role.DESK, Role.ADMIN)
async def reset(request: Request) -> Response:
    member_id = path_id(request, "member_id")
    try:
        member, temporary = await accounts.reset_password(
            actor_id=request.state.member.id, member_id=member_id
        )
    except ServiceError as error:
        if error.code == "unknown_member":
            raise HTTPException(404) from None
        context = {
            "m": await accounts.get_member(member_id=member_id),
            "error": message(request_language(request), error.code),
        }
        return render(request, "desk/reset.html", context, status_code=403)
    return render(request, "desk/reset_done.html", {"m": member, "temporary": temporary})


@page(Role.DESK, Role.ADMIN)
async def scan(request: Request) -> Response:
    """A scanned booking code (the scanner types it and presses Enter)."""
    code = request.query_params.get("code", "")[:400]
    booking, error = None, None
    if code.strip():
        try:
            booking = await tickets.booking_for(code)
        except ServiceError as exc:
            error = message(request_language(request), exc.code)
    context = {"code": code, "booking": booking, "error": error}
    return render(request, "desk/scan.html", context, status_code=400 if error else 200)


routes = [
    Route("/desk", lookup, methods=["GET"]),
    Route("/desk/scan", scan, methods=["GET"]),
    Route("/desk/members/{member_id}/password", reset_form, methods=["GET"]),
    Route("/desk/members/{member_id}/password", reset, methods=["POST"]),
]
