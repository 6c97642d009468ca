"""A reminder before each booking starts (PALACE_REMINDER_MINUTES, default 2 h before).

The sweep writes them from the database: a booking starting within the lead time
that has no reminder yet gets one, marked on the booking in the same transaction,
so a reminder is written once however many sweeps run. A booking made within the
lead time needs none: the member has just booked it.
"""

from datetime import timedelta

from palace.models import Booking, BookingPartner, BookingStatus
from palace.services.core import after_commit, clock
from palace.services.messages import notifications
from palace.settings import get_settings


async def send_due() -> int:
    lead = timedelta(minutes=get_settings().reminder_minutes)
    now = clock.now()
    due = await Booking.filter(
        status=BookingStatus.CONFIRMED,
        reminded_at__isnull=True,
        starts_at__gt=now,
        starts_at__lte=now + lead,
    )
    sent = 0
    for booking in due:
        sent += await _remind(booking, lead)
    return sent


async def _remind(booking: Booking, lead: timedelta) -> int:
    async with after_commit.transaction():
        marked = await Booking.filter(id=booking.id, reminded_at__isnull=True).update(
            reminded_at=clock.now()
        )
        if not marked or clock.utc(booking.created_at) > clock.utc(booking.starts_at) - lead:
            return 0
        partners = [
            row.member_id
            for row in await BookingPartner.filter(booking_id=booking.id).only("member_id")
        ]
        detail = {
            "facility_id": booking.facility_id,
            "resource_id": booking.resource_id,
            "slot_id": booking.slot_id,
            "starts_at": clock.utc(booking.starts_at).isoformat(),
        }
        for member_id in dict.fromkeys([booking.member_id, *partners]):
            await notifications.notify(
                member_id=member_id, kind="reminder", booking_id=booking.id, detail=detail
            )
    return 1
