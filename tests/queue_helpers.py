"""Opening queues for tests: a hall's day about to open, and the clock set around it."""

from collections.abc import Callable
from datetime import date, datetime, timedelta

import pytest

from palace.models import Facility
from palace.services.core import clock
from palace.services.facilities import rules
from palace.services.fairness import opening_queue, queue_gate
from palace.services.fairness.queue_gate import Times

DAY_OFFSET = 9  # the day whose places open: far enough that every slot is to come


class Clock:
    """The clock the services read, moved by the test."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, start: datetime) -> None:
        self.instant = start
        monkeypatch.setattr(clock, "now", self.now)

    def now(self) -> datetime:
        return self.instant

    def set(self, instant: datetime) -> None:
        self.instant = instant


def queue_day() -> date:
    """Counted from the real date, so moving the test's clock does not move it."""
    return datetime.now(clock.zone()).date() + timedelta(days=DAY_OFFSET)


async def queue_times(hall: Facility, day: date | None = None) -> Times:
    found = queue_gate.times(await rules.rules_for(hall), day or queue_day())
    assert found is not None
    return found


def key(day: date, hour: int, court: str = "c1") -> str:
    return f"{day.isoformat()}T{hour:02d}:00/{court}"


async def join(hall: Facility, member_id: int, *choices: str) -> None:
    await opening_queue.join(
        facility_id=hall.id,
        day=queue_day(),
        member_id=member_id,
        choices=list(choices),
        actor_id=member_id,
    )


def at(times: Times, **offset: float) -> Callable[[], datetime]:
    """An instant relative to the opening (``seconds=-60``: a minute before)."""
    return lambda: times.opens_at + timedelta(**offset)
