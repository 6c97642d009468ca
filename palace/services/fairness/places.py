"""A place a ballot or an opening queue gives, as published ({resource_id, starts_at, …}),
taken for a member through the booking core."""

from datetime import datetime
from typing import Any

from palace.models import Booking, BookingSource
from palace.services.booking import bookings, slots
from palace.services.booking.bookings import BookingError


async def take(place: dict[str, Any], *, member_id: int, source: BookingSource) -> Booking:
    """The place's grid slot (made on first use), booked by a worker (no actor); a court
    or time no longer on the timetable is the core's ``BookingError`` like any refusal."""
    starts_at = datetime.fromisoformat(str(place["starts_at"]))
    try:
        slot = await slots.grid_slot(resource_id=int(place["resource_id"]), starts_at=starts_at)
    except slots.SlotError as error:
        raise BookingError(error.code) from None
    return await bookings.take(member_id=member_id, slot_id=slot.id, actor_id=None, source=source)
