"""What the database says after the topology's run: lost and doubled work, counted.

Runs in the bench's process with Tortoise open on the bench's own PostgreSQL.
"""

from dataclasses import dataclass, field

from tortoise import connections

from bench.fixture import DOUBLE_BOOKINGS, TAKEN_MISMATCHES
from palace.models import Booking, BookingSource, Notification, WaitlistEntry, WaitStatus

# A promotion is one booking per waitlist entry: the same member booked twice into one
# slot from the line is a promotion done twice.
PROMOTED_TWICE = """
SELECT COALESCE(SUM(n - 1), 0) AS extra FROM (
    SELECT member_id, slot_id, COUNT(*) AS n FROM bookings WHERE source = 'waitlist'
    GROUP BY member_id, slot_id
) per_member WHERE n > 1
"""
# A notification's natural key: whom, what about, which booking.
NOTIFIED_TWICE = """
SELECT COALESCE(SUM(n - 1), 0) AS extra FROM (
    SELECT member_id, kind, booking_id, COUNT(*) AS n FROM notifications
    WHERE booking_id IS NOT NULL GROUP BY member_id, kind, booking_id
) per_key WHERE n > 1
"""
# Places held for a line and not yet given, and free places while someone waits to be
# booked automatically: work a worker still owes.
HELD = "SELECT COALESCE(SUM(held), 0) AS n FROM slots"
STUCK = """
SELECT COUNT(*) AS n FROM slots s WHERE s.taken + s.held < s.capacity AND EXISTS (
    SELECT 1 FROM waitlist_entries w WHERE w.slot_id = s.id AND w.status = 'waiting'
)
"""
# A waitlist entry marked booked whose booking is missing.
BOOKED_WITHOUT_BOOKING = """
SELECT COUNT(*) AS n FROM waitlist_entries w WHERE w.status = 'booked'
AND NOT EXISTS (SELECT 1 FROM bookings b WHERE b.id = w.booking_id)
"""


@dataclass
class Answered:
    """What the members were told: the 2xx answers the database must bear out."""

    booked: set[tuple[int, int]] = field(default_factory=set)  # (member id, slot id)
    cancelled: set[int] = field(default_factory=set)  # booking ids


@dataclass(frozen=True)
class Outcome:
    bookings: int
    confirmed: int
    promotions: int
    messages: int
    waiting: int
    held: int
    stuck: int
    lost_bookings: int  # a 200 for a booking the database does not have
    lost_cancels: int  # a cancel answered as done, the booking still confirmed
    lost_promotions: int  # held places or free places with a line, after the wait
    double_bookings: int
    taken_mismatches: int
    promoted_twice: int
    notified_twice: int
    booked_without_booking: int

    @property
    def lost(self) -> int:
        return (
            self.lost_bookings
            + self.lost_cancels
            + self.lost_promotions
            + self.booked_without_booking
        )

    @property
    def doubled(self) -> int:
        return self.double_bookings + self.promoted_twice + self.notified_twice


async def _one(query: str) -> int:
    rows = await connections.get("default").execute_query_dict(query)
    return int(next(iter(rows[0].values())))


async def owed_work() -> tuple[int, int]:
    """(places held for a line, free places with someone waiting): 0, 0 once settled."""
    return await _one(HELD), await _one(STUCK)


async def outcome(answered: Answered) -> Outcome:
    pairs = set(await Booking.all().values_list("member_id", "slot_id"))
    lost_bookings = len({pair for pair in answered.booked if pair not in pairs})
    still = await Booking.filter(id__in=list(answered.cancelled), status="confirmed").count()
    held, stuck = await owed_work()
    return Outcome(
        bookings=await Booking.all().count(),
        confirmed=await Booking.filter(status="confirmed").count(),
        promotions=await Booking.filter(source=BookingSource.WAITLIST).count(),
        messages=await Notification.all().count(),
        waiting=await WaitlistEntry.filter(status=WaitStatus.WAITING).count(),
        held=held,
        stuck=stuck,
        lost_bookings=lost_bookings,
        lost_cancels=still,
        lost_promotions=held + stuck,
        double_bookings=await _one(DOUBLE_BOOKINGS),
        taken_mismatches=await _one(TAKEN_MISMATCHES),
        promoted_twice=await _one(PROMOTED_TWICE),
        notified_twice=await _one(NOTIFIED_TWICE),
        booked_without_booking=await _one(BOOKED_WITHOUT_BOOKING),
    )
