"""Staff look up a hall's bookings by day, and one booking with its history."""

from datetime import timedelta

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from palace.models import Role
from palace.services import clock, staff_bookings
from palace.services.errors import ServiceError
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


routes = [
    Route("/staff/facilities/{facility_id}/bookings", day_bookings, methods=["GET"]),
    Route("/staff/bookings/{booking_id}", booking, methods=["GET"]),
]
