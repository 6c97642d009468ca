"""Front desk: find a member, see and cancel their bookings, reset a forgotten password.

Check-in, the Now board and walk-ins are in ``web.checkin``.
"""

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from palace.i18n import N_
from palace.models import BookingStatus, Role
from palace.services import accounts, bookings, desk
from palace.services.errors import ServiceError
from palace.web import flash
from palace.web.auth import page
from palace.web.messages import message
from palace.web.params import parse_id, path_id
from palace.web.templating import is_htmx, render, request_language


@page(Role.DESK, Role.ADMIN)
async def lookup(request: Request) -> Response:
    query = request.query_params.get("q", "")[:60]
    found = await desk.search(actor=request.state.member, query=query)
    name = "desk/_results.html" if is_htmx(request) else "desk/lookup.html"
    return render(request, name, {"q": query, "found": found})


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
async def member(request: Request) -> Response:
    """One member at the desk: upcoming bookings (to cancel for them), strikes, suspension."""
    try:
        found = await desk.member_at_desk(member_id=path_id(request, "member_id"))
    except ServiceError:
        raise HTTPException(404) from None
    return render(request, "desk/member.html", {"m": found})


DESK_CANCEL = N_("Cancelled for the member. The place is free again.")
LATE_DESK_CANCEL = N_("Cancelled for the member; it counts as a late cancel.")


@page(Role.DESK, Role.ADMIN)
async def cancel(request: Request) -> Response:
    """Cancel a booking the member asked the desk to cancel; audited as the desk's."""
    booking_id = path_id(request, "booking_id")
    form = await request.form()
    member_id = parse_id(str(form.get("member", ""))[:12])
    if member_id is None:
        raise HTTPException(404)
    try:
        done = await bookings.cancel(
            member_id=member_id, booking_id=booking_id, actor_id=request.state.member.id
        )
    except ServiceError as error:
        if error.code == "unknown_booking":
            raise HTTPException(404) from None
        flash.code(request, error.code)
    else:
        late = done.status == BookingStatus.LATE_CANCELLED
        flash.add(request, LATE_DESK_CANCEL if late else DESK_CANCEL)
    return RedirectResponse(f"/desk/members/{member_id}", status_code=303)


routes = [
    Route("/desk", lookup, methods=["GET"]),
    Route("/desk/members/{member_id}", member, methods=["GET"]),
    Route("/desk/bookings/{booking_id}/cancel", cancel, methods=["POST"]),
    Route("/desk/members/{member_id}/password", reset_form, methods=["GET"]),
    Route("/desk/members/{member_id}/password", reset, methods=["POST"]),
]
