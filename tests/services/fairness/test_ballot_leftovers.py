"""Leftovers: a second round among "any other time" entrants, then first-come at the set time;
until then a balloted court is refused first-come by the booking core (slot_balloted)."""

from datetime import datetime, timedelta

import pytest

from palace.models import Ballot, BallotEntry, BallotState, Booking, BookingSource, EntryOutcome
from palace.services.booking import bookings
from palace.services.core import clock
from palace.services.core.errors import ServiceError
from palace.services.fairness import ballot_draw, ballot_rounds, ballot_steps
from tests.fairness_helpers import draw_now, enter, key, make_ballot
from tests.helpers import make_hall, make_members


def _start(ballot: Ballot, n: int = 0) -> datetime:
    return datetime.fromisoformat(str(ballot.places[n]["starts_at"]))


async def test_a_balloted_court_is_not_first_come_until_released() -> None:
    hall = await make_hall(courts=1, days_ahead=30)
    ballot = await make_ballot(hall)
    (member,) = await make_members(1)
    resource_id = int(ballot.places[0]["resource_id"])
    with pytest.raises(ServiceError) as refused:
        await bookings.book(member_id=member.id, resource_id=resource_id, starts_at=_start(ballot))
    assert refused.value.code == "slot_balloted"
    assert refused.value.params["ballot_id"] == ballot.id
    ballot = await draw_now(ballot)
    await ballot_draw.run_second_round(ballot_id=ballot.id)
    assert not await ballot_draw.release(ballot_id=ballot.id)  # not yet its time
    await Ballot.filter(id=ballot.id).update(release_at=clock.now() - timedelta(seconds=1))
    assert await ballot_steps.release_due() == 1
    assert (await Ballot.get(id=ballot.id)).state == BallotState.RELEASED
    booking = await bookings.book(
        member_id=member.id, resource_id=resource_id, starts_at=_start(ballot)
    )
    assert booking.source == BookingSource.MEMBER


async def test_the_second_round_gives_leftovers_to_any_other_time_entrants() -> None:
    hall = await make_hall(courts=1)
    ballot = await make_ballot(hall, weekdays=(1, 3))
    tue, thu = key(ballot), key(ballot, 1)
    flexible, rigid, lucky = await make_members(3)
    # Both lose Tuesday to whoever is drawn first there...
    await enter(ballot, flexible.id, tue, any_other_time=True)
    await enter(ballot, rigid.id, tue)
    await enter(ballot, lucky.id, tue)
    ballot = await draw_now(ballot)
    assert ballot.results
    winner = next(name for name, won in ballot.results["won"].items() if won)
    flexible_entry = await BallotEntry.get(ballot_id=ballot.id, member_id=flexible.id)
    assert await ballot_draw.run_second_round(ballot_id=ballot.id) == (
        0 if winner == flexible_entry.pseudonym else 1
    )
    assert await ballot_draw.run_second_round(ballot_id=ballot.id) == 0  # once
    ballot = await Ballot.get(id=ballot.id)
    assert ballot.results and ballot.second_round_at is not None
    second = ballot.results["second_round"]
    flexible_entry = await BallotEntry.get(ballot_id=ballot.id, member_id=flexible.id)
    rigid_entry = await BallotEntry.get(ballot_id=ballot.id, member_id=rigid.id)
    # ...and only the one who asked for any other time gets Thursday.
    if winner != flexible_entry.pseudonym:
        assert second["won"] == {flexible_entry.pseudonym: thu}
        assert flexible_entry.outcome == EntryOutcome.WON and flexible_entry.won_key == thu
    assert rigid_entry.pseudonym not in second["won"]
    entrants = ballot_draw.published_entrants(ballot)
    places = {str(p["key"]): int(p["places"]) for p in ballot.places}
    again = ballot_rounds.second_round(ballot.seed or "", entrants, places, ballot.results["won"])
    assert again.won == second["won"]
    booked = await Booking.filter(source=BookingSource.BALLOT).values_list("member_id", flat=True)
    assert len(booked) == len(set(booked))
