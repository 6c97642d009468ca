"""Staff look up a hall's bookings by day, and one booking with its history."""

from datetime import timedelta

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from palace.i18n import N_
from palace.models import Role
from palace.services.core import clock
from palace.services.desk import staff_bookings
from palace.web import flash
from palace.web.auth import page
from palace.web.errors import back_to, text_for
from palace.web.params import day_or_today, path_id
from palace.web.templating import render


@page(Role.STAFF, Role.ADMIN)
async def day_bookings(request: Request) -> Response:
    facility_id = path_id(request, "facility_id")
    day, error = day_or_today(request)
    found = await staff_bookings.day_bookings(facility_id=facility_id, day=day)
    context = {
        "found": found,
        "error": error and text_for(request, error),
        "previous": found.day - timedelta(days=1),
        "next": found.day + timedelta(days=1),
    }
    return render(request, "staff/bookings.html", context, status_code=400 if error else 200)


@page(Role.STAFF, Role.ADMIN)
async def booking(request: Request) -> Response:
    record = await staff_bookings.booking_record(booking_id=path_id(request, "booking_id"))
    day = clock.local_day(record.booking.starts_at).isoformat()
    return render(request, "staff/booking.html", {"record": record, "day": day})


STAFF_CANCEL = N_(
    "Cancelled by the palace; it does not count against the member, who is told the reason."
)


@page(Role.STAFF, Role.ADMIN)
async def cancel(request: Request) -> Response:
    """Staff cancel a booking: the palace's cancel, with a reason the member is told."""
    booking_id, form = path_id(request, "booking_id"), await request.form()
    back_to(request, f"/staff/bookings/{booking_id}")
    reason = str(form.get("reason", ""))[:400]
    await staff_bookings.cancel(actor_id=request.state.member.id, booking_id=booking_id,
                                reason=reason, at_desk=False)  # fmt: skip
    flash.add(request, STAFF_CANCEL)
    return RedirectResponse(f"/staff/bookings/{booking_id}", status_code=303)


routes = [
    Route("/staff/facilities/{facility_id}/bookings", day_bookings, methods=["GET"]),
    Route("/staff/bookings/{booking_id}", booking, methods=["GET"]),
    Route("/staff/bookings/{booking_id}/cancel", cancel, methods=["POST"]),
]
