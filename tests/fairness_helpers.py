"""Ballots for tests: a hall with balloted ranges, a ballot open now, closed and drawn on demand."""

from datetime import timedelta
from typing import Any

from palace.models import Ballot, BallotRange, BallotSettings, Facility
from palace.services.core import clock
from palace.services.fairness import ballot_draw, ballot_setup, ballots
from palace.services.fairness.ballot_setup import Timeline
from palace.services.fairness.ballots import EntryForm

TUESDAY = 1
EVENING = 19 * 60


def ballot_week() -> Any:
    """A week far enough ahead that every slot in it is still to come."""
    return ballot_setup.week_of(clock.today()) + timedelta(days=14)


async def make_ballot(
    hall: Facility,
    *,
    hours: int = 1,
    weekdays: tuple[int, ...] = (TUESDAY,),
    **settings: Any,
) -> Ballot:
    """The hall's ballot of ``ballot_week()``, open now: ``hours`` slots from 19:00 on
    each of ``weekdays``, every court of the hall."""
    stored = await BallotSettings.create(facility=hall, **settings)
    for weekday in weekdays:
        await BallotRange.create(
            facility=hall, weekday=weekday, starts_minute=EVENING, ends_minute=EVENING + 60 * hours
        )
    stored = await BallotSettings.get(id=stored.id).select_related("facility")
    now = clock.now()
    times = Timeline(now - timedelta(hours=1), now + timedelta(hours=1), now + timedelta(hours=1),
                     now + timedelta(hours=2))  # fmt: skip
    assert await ballot_setup._make_ballot(stored, ballot_week(), times) == 1
    return await Ballot.get(facility_id=hall.id, week_start=ballot_week())


def key(ballot: Ballot, n: int = 0) -> str:
    return str(ballot.places[n]["key"])


async def enter(ballot: Ballot, member_id: int, *choices: str, **form: Any) -> None:
    await ballots.enter(
        ballot_id=ballot.id,
        member_id=member_id,
        form=EntryForm(list(choices), form.pop("partners", []), **form),
        actor_id=member_id,
    )


async def close_now(ballot: Ballot) -> Ballot:
    past = clock.now() - timedelta(seconds=1)
    await Ballot.filter(id=ballot.id).update(closes_at=past, draw_at=past)
    assert await ballots.close(ballot_id=ballot.id)
    return await Ballot.get(id=ballot.id)


async def draw_now(ballot: Ballot) -> Ballot:
    if ballot.state == "open":
        ballot = await close_now(ballot)
    await ballot_draw.run_draw(ballot_id=ballot.id)
    return await Ballot.get(id=ballot.id)
