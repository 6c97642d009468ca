"""Front desk: find a member, see and cancel their bookings, reset a forgotten password.

Check-in, the Now board and walk-ins are in ``web.checkin``.
"""

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from palace.i18n import N_
from palace.models import Role
from palace.services.accounts import accounts
from palace.services.core.errors import ServiceError
from palace.services.desk import desk, staff_bookings
from palace.web import flash
from palace.web.auth import page
from palace.web.errors import attempt, back_to, status_for, text_for
from palace.web.params import parse_id, path_id
from palace.web.templating import is_htmx, render


@page(Role.DESK, Role.ADMIN)
async def lookup(request: Request) -> Response:
    query = request.query_params.get("q", "")[:60]
    found = await desk.search(actor=request.state.member, query=query)
    name = "desk/_results.html" if is_htmx(request) else "desk/lookup.html"
    return render(request, name, {"q": query, "found": found})


@page(Role.DESK, Role.ADMIN)
async def reset_form(request: Request) -> Response:
    member = await accounts.get_member(member_id=path_id(request, "member_id"))
    return render(request, "desk/reset.html", {"m": member, "error": None})


@page(Role.DESK, Role.ADMIN)
async def reset(request: Request) -> Response:
    member_id = path_id(request, "member_id")
    done = await attempt(accounts.reset_password(actor_id=request.state.member.id,
                                                 member_id=member_id))  # fmt: skip
    if isinstance(done, ServiceError):
        context = {"m": await accounts.get_member(member_id=member_id),
                   "error": text_for(request, done)}  # fmt: skip
        return render(request, "desk/reset.html", context, status_code=status_for(done))
    member, temporary = done
    return render(request, "desk/reset_done.html", {"m": member, "temporary": temporary})


@page(Role.DESK, Role.ADMIN)
async def member(request: Request) -> Response:
    """One member at the desk: upcoming bookings (to cancel for them), strikes, suspension."""
    found = await desk.member_at_desk(member_id=path_id(request, "member_id"))
    return render(request, "desk/member.html", {"m": found})


DESK_CANCEL = N_(
    "Cancelled by the palace; it does not count against the member, who is told the reason. "
    "The place is free again."
)


@page(Role.DESK, Role.ADMIN)
async def cancel(request: Request) -> Response:
    """Cancel a booking for the member at the desk: the palace's cancel, with a reason."""
    form = await request.form()
    member_id = parse_id(str(form.get("member", ""))[:12])
    if member_id is None:
        raise HTTPException(404)
    back_to(request, f"/desk/members/{member_id}")
    await staff_bookings.cancel(actor_id=request.state.member.id,
                                booking_id=path_id(request, "booking_id"),
                                reason=str(form.get("reason", ""))[:400], at_desk=True,
                                member_id=member_id)  # fmt: skip
    flash.add(request, DESK_CANCEL)
    return RedirectResponse(f"/desk/members/{member_id}", status_code=303)


routes = [
    Route("/desk", lookup, methods=["GET"]),
    Route("/desk/members/{member_id}", member, methods=["GET"]),
    Route("/desk/bookings/{booking_id}/cancel", cancel, methods=["POST"]),
    Route("/desk/members/{member_id}/password", reset_form, methods=["GET"]),
    Route("/desk/members/{member_id}/password", reset, methods=["POST"]),
]
