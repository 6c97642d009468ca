"""When an opening queue takes joins, and what it holds back from first-come booking.

The booking core asks ``gate`` (through ``booking/slots.terms_of``) before taking a
first-come grid place: while the day's queue gathers, and until it is served, nobody
books that day first-come (services/fairness/opening_queue says why). Outside the few
minutes around a day's opening it answers without reading anything.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from palace.models import BookingRules, OpeningQueue, QueueState
from palace.services.core import clock
from palace.services.facilities import rules

JOIN_AHEAD = timedelta(minutes=10)
# First-come waits for the queue to be served at most this long after the opening (a
# worker down must not keep a hall shut; the sweep serves the queue once one is back).
SERVE_WITHIN = timedelta(minutes=10)
# A join that reached the palace before the gathering's end is written even when a rush
# keeps it waiting past the end: the queue is served this long after the end.
GRACE = timedelta(seconds=5)


@dataclass(frozen=True)
class Times:
    """One hall's day: when its queue takes joins and when its places open."""

    day: date
    joins_from: datetime
    opens_at: datetime
    gathers_until: datetime

    def joining(self, now: datetime) -> bool:
        return self.joins_from <= now < self.gathers_until

    @property
    def serves_at(self) -> datetime:
        return self.gathers_until + GRACE


def times(facility_rules: BookingRules, day: date) -> Times | None:
    """The day's queue times; None where the hall has no opening queue."""
    if facility_rules.queue_seconds <= 0:
        return None
    opens_at = clock.utc(rules.booking_opens_at(facility_rules, day))
    gathers_until = opens_at + timedelta(seconds=facility_rules.queue_seconds)
    return Times(day, opens_at - JOIN_AHEAD, opens_at, gathers_until)


def next_day(facility_rules: BookingRules, now: datetime) -> Times | None:
    """The next day of the hall to open whose queue has not ended yet."""
    today = clock.local_day(now)
    for offset in range(facility_rules.days_ahead, facility_rules.days_ahead + 3):
        found = times(facility_rules, today + timedelta(days=offset))
        if found is not None and now < found.gathers_until:
            return found
    return None


@dataclass(frozen=True)
class Gate:
    """Why a first-come place cannot be taken yet: its day's queue is gathering or being
    served (``code``), and when first-come starts at the earliest."""

    code: str
    first_come_at: datetime


async def gate(*, facility_id: int, facility_rules: BookingRules, day: date) -> Gate | None:
    found = times(facility_rules, day)
    now = clock.now()
    if found is None or not found.opens_at <= now < found.opens_at + SERVE_WITHIN:
        return None  # not a day opening now: no read at all
    if now < found.gathers_until:
        return Gate("queue_gathering", found.gathers_until)
    if await OpeningQueue.exists(facility_id=facility_id, day=day, state__not=QueueState.DONE):
        return Gate("queue_serving", found.gathers_until)
    return None
