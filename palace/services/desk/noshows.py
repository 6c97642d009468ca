"""No-shows: a booking nobody on it checked in to by the time check-in closed.

``mark_no_shows`` releases its place (``bookings.release``, where a waitlist takes
over), records a strike for the booker (``strikes.record``) and tells them, all in one
transaction per booking. It reads everything from the database, so it is both the job
and the sweep: the worker runs it every minute, running it twice marks nothing twice
(the booking row is locked and re-read, and a strike is unique per booking), and a
run missed while the worker was down is caught up by the next one.

Bookings made before check-in existed (``checkin_expected`` false), guests (checked in
when booked) and bookings whose window closed more than ``LOOKBACK`` ago are left as
they are: nobody should get a strike for attendance that was never taken.
"""

from datetime import timedelta

from palace.models import Booking, BookingPartner, BookingRules, BookingStatus
from palace.services.booking import bookings
from palace.services.core import after_commit, clock
from palace.services.desk import checkin, strikes
from palace.services.facilities import rules
from palace.services.messages import notifications

LOOKBACK = timedelta(days=2)
NO_SHOW_KIND = "no_show"


async def mark_no_shows() -> int:
    """Mark every booking whose check-in has closed with nobody checked in; how many."""
    now = clock.now()
    found = await Booking.filter(
        status=BookingStatus.CONFIRMED,
        checked_in_at__isnull=True,
        checkin_expected=True,
        guest_name__isnull=True,
        starts_at__lte=now,
        starts_at__gt=now - LOOKBACK,
    ).select_related("facility")
    by_hall: dict[int, BookingRules] = {}
    marked = 0
    for booking in found:
        facility_rules = by_hall.get(booking.facility_id) or await rules.rules_for(booking.facility)
        by_hall[booking.facility_id] = facility_rules
        if checkin.window(facility_rules, booking.starts_at)[1] > now:
            continue
        marked += await _mark(booking.id)
    return marked


async def _mark(booking_id: int) -> int:
    async with after_commit.transaction():
        # Locked and re-read: the desk may have checked someone in since we looked.
        booking = await Booking.filter(id=booking_id).select_for_update().get()
        if booking.status != BookingStatus.CONFIRMED or booking.checked_in_at is not None:
            return 0
        if await BookingPartner.exists(booking_id=booking_id, checked_in_at__isnull=False):
            return 0  # a partner came: the court was used
        await bookings.release(
            booking, status=BookingStatus.NO_SHOW, actor_id=None, action="no_show"
        )
        strike = await strikes.record(booking)
        await notifications.notify(
            member_id=booking.member_id,
            kind=NO_SHOW_KIND,
            booking_id=booking.id,
            detail={
                "starts_at": clock.utc(booking.starts_at).isoformat(),
                "resource_id": booking.resource_id,
                "slot_id": booking.slot_id,
                "strike_id": strike.id,
            },
        )
    return 1
