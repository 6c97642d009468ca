"""Staff look up a hall's bookings by day, and one booking with its history."""

from datetime import timedelta

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from palace.i18n import N_
from palace.models import Role
from palace.services.core import clock
from palace.services.core.errors import ServiceError
from palace.services.desk import staff_bookings
from palace.web import flash
from palace.web.auth import page
from palace.web.messages import message
from palace.web.params import path_id
from palace.web.templating import render, request_language


@page(Role.STAFF, Role.ADMIN)
async def day_bookings(request: Request) -> Response:
    facility_id = path_id(request, "facility_id")
    raw = request.query_params.get("day", "")[:40]
    day = clock.parse_day(raw) if raw else clock.today()
    error = None if day is not None else message(request_language(request), "day_invalid")
    try:
        found = await staff_bookings.day_bookings(facility_id=facility_id, day=day or clock.today())
    except ServiceError:
        raise HTTPException(404) from None
    context = {
        "found": found,
        "error": error,
        "previous": found.day - timedelta(days=1),
        "next": found.day + timedelta(days=1),
    }
    return render(request, "staff/bookings.html", context, status_code=400 if error else 200)


@page(Role.STAFF, Role.ADMIN)
async def booking(request: Request) -> Response:
    try:
        record = await staff_bookings.booking_record(booking_id=path_id(request, "booking_id"))
    except ServiceError:
        raise HTTPException(404) from None
    day = clock.local_day(record.booking.starts_at).isoformat()
    return render(request, "staff/booking.html", {"record": record, "day": day})


STAFF_CANCEL = N_(
    "Cancelled by the palace; it does not count against the member, who is told the reason."
)


@page(Role.STAFF, Role.ADMIN)
async def cancel(request: Request) -> Response:
    """Staff cancel a booking: the palace's cancel, with a reason the member is told."""
    booking_id = path_id(request, "booking_id")
    form = await request.form()
    reason = str(form.get("reason", ""))[:400]
    try:
        await staff_bookings.cancel(
            actor_id=request.state.member.id, booking_id=booking_id, reason=reason, at_desk=False
        )
    except ServiceError as error:
        if error.code == "unknown_booking":
            raise HTTPException(404) from None
        flash.code(request, error.code, **error.params)
    else:
        flash.add(request, STAFF_CANCEL)
    return RedirectResponse(f"/staff/bookings/{booking_id}", status_code=303)


routes = [
    Route("/staff/facilities/{facility_id}/bookings", day_bookings, methods=["GET"]),
    Route("/staff/bookings/{booking_id}", booking, methods=["GET"]),
    Route("/staff/bookings/{booking_id}/cancel", cancel, methods=["POST"]),
]
