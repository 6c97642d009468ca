"""Balloted slots are not first-come: which slots a ballot holds until its leftovers go.

The booking core asks ``holding`` before taking any place other than a ballot's own,
and the timetable asks ``held_on`` to show those cells as balloted. A ballot holds its
places from when it is made (entries open) until it is released.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from palace.models import Ballot, BallotState
from palace.services.core import clock

HOLDING = (BallotState.OPEN, BallotState.CLOSED, BallotState.DRAWN)


@dataclass(frozen=True)
class Held:
    ballot_id: int
    release_at: datetime


def _week(day: date) -> date:
    return day - timedelta(days=day.weekday())


async def holding(*, facility_id: int, resource_id: int, starts_at: datetime) -> Held | None:
    """The ballot holding this court at this time, or None (the slot is first-come)."""
    start = clock.utc(starts_at)
    ballot = await Ballot.get_or_none(
        facility_id=facility_id, week_start=_week(clock.local_day(start)), state__in=HOLDING
    )
    if ballot is None:
        return None
    wanted = start.isoformat()
    for place in ballot.places:
        if place["resource_id"] == resource_id and place["starts_at"] == wanted:
            return Held(ballot.id, clock.utc(ballot.release_at))
    return None


async def held_on(*, facility_id: int, day: date) -> dict[tuple[int, datetime], Held]:
    """Every court and start of the day a ballot holds, for the timetable."""
    ballot = await Ballot.get_or_none(
        facility_id=facility_id, week_start=_week(day), state__in=HOLDING
    )
    if ballot is None:
        return {}
    held = Held(ballot.id, clock.utc(ballot.release_at))
    found = {}
    for place in ballot.places:
        start = datetime.fromisoformat(str(place["starts_at"]))
        if clock.local_day(start) == day:
            found[(int(place["resource_id"]), clock.utc(start))] = held
    return found
