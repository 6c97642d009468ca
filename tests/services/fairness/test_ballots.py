"""Ballot entries and the draw: one entry each, ranked choices, caps, weights, idempotence."""

from datetime import timedelta

import pytest

from palace.models import (
    Ballot,
    BallotEntry,
    BallotState,
    BallotWeight,
    Booking,
    BookingSource,
    EntryOutcome,
    Member,
    Notification,
)
from palace.services.booking import bookings
from palace.services.core import clock
from palace.services.core.errors import ServiceError
from palace.services.fairness import ballot_draw, ballot_rounds, ballots, draw
from palace.services.fairness.ballots import EntryForm
from tests.fairness_helpers import close_now, draw_now, enter, key, make_ballot
from tests.helpers import make_hall, make_member, make_members


def _places(ballot: Ballot) -> dict[str, int]:
    return {str(p["key"]): int(p["places"]) for p in ballot.places}


def _recomputed(ballot: Ballot) -> draw.Allocation:
    """The first round as anyone recomputes it from what is published."""
    assert ballot.seed and ballot.results
    refused = {name: [r[0] for r in rows] for name, rows in ballot.results["refused"].items()}
    entrants = ballot_draw.published_entrants(ballot)
    return ballot_rounds.first_round(ballot.seed, entrants, _places(ballot), refused)


async def test_a_member_entering_twice_is_refused() -> None:
    hall = await make_hall()
    ballot = await make_ballot(hall)
    member = await make_member()
    await enter(ballot, member.id, key(ballot))
    with pytest.raises(ServiceError) as refused:
        await enter(ballot, member.id, key(ballot, 1))
    assert refused.value.code == "ballot_already_entered"
    assert await BallotEntry.filter(ballot_id=ballot.id).count() == 1
    # Withdrawn, the member may enter again while the window is open.
    entry = await BallotEntry.get(ballot_id=ballot.id)
    await ballots.withdraw(entry_id=entry.id, member_id=member.id, actor_id=member.id)
    await enter(ballot, member.id, key(ballot, 1))
    assert await BallotEntry.filter(ballot_id=ballot.id, withdrawn_at=None).count() == 1


async def test_entries_change_only_while_the_window_is_open() -> None:
    hall = await make_hall()
    ballot = await make_ballot(hall)
    member = await make_member()
    await enter(ballot, member.id, key(ballot))
    entry = await BallotEntry.get(ballot_id=ballot.id)
    form = EntryForm([key(ballot, 1), ballots.any_court_key(key(ballot))], [])
    changed = await ballots.change(entry_id=entry.id, member_id=member.id, form=form,
                                   actor_id=member.id)  # fmt: skip
    assert changed.choices == form.choices
    for bad in ([], ["nowhere/c1"], [key(ballot), key(ballot, 1), "x", "y"]):
        with pytest.raises(ServiceError):
            await ballots.change(entry_id=entry.id, member_id=member.id,
                                 form=EntryForm(bad, []), actor_id=member.id)  # fmt: skip
    await close_now(ballot)
    with pytest.raises(ServiceError) as refused:
        await ballots.withdraw(entry_id=entry.id, member_id=member.id, actor_id=member.id)
    assert refused.value.code == "ballot_not_open"


async def test_the_desk_enters_for_a_member() -> None:
    hall = await make_hall()
    ballot = await make_ballot(hall)
    member, clerk = await make_member(), await make_member()
    found = await ballots.member_for_card(member.card_no.lower())
    entry = await ballots.enter(ballot_id=ballot.id, member_id=found.id,
                                form=EntryForm([key(ballot)], []), actor_id=clerk.id)  # fmt: skip
    assert (entry.member_id, entry.entered_by_id) == (member.id, clerk.id)


async def test_a_second_choice_is_drawn_only_where_the_first_lost() -> None:
    hall = await make_hall(courts=1)
    ballot = await make_ballot(hall, weekdays=(1, 3))
    tue, thu = key(ballot), key(ballot, 1)
    members = await make_members(3)
    for member in members:
        await enter(ballot, member.id, tue, thu)
    ballot = await draw_now(ballot)
    assert ballot.state == BallotState.DRAWN and ballot.results
    first, second, third = ballot.results["order"]
    assert ballot.results["won"] == {first: tue, second: thu, third: None}
    assert _recomputed(ballot).won == ballot.results["won"]
    by_name = {e.pseudonym: e for e in await BallotEntry.filter(ballot_id=ballot.id)}
    assert by_name[first].won_key == tue and by_name[second].won_key == thu
    booked = await Booking.filter(source=BookingSource.BALLOT).order_by("starts_at")
    assert [b.member_id for b in booked] == [by_name[first].member_id, by_name[second].member_id]


async def test_any_court_takes_the_first_court_free_at_that_time() -> None:
    hall = await make_hall(courts=2)
    ballot = await make_ballot(hall)
    members = await make_members(3)
    for member in members:
        await enter(ballot, member.id, ballots.any_court_key(key(ballot)))
    ballot = await draw_now(ballot)
    assert ballot.results
    assert sorted(filter(None, ballot.results["won"].values())) == [key(ballot), key(ballot, 1)]
    assert await Booking.filter(source=BookingSource.BALLOT).count() == 2


async def test_wins_per_member_per_week_are_capped_across_halls() -> None:
    gym = await make_hall(code="gym", courts=1)
    courts = await make_hall(code="courts", courts=1)
    first = await make_ballot(gym, max_wins_per_week=1)
    second = await make_ballot(courts, max_wins_per_week=1)
    member = await make_member()
    await enter(first, member.id, key(first))
    await enter(second, member.id, key(second))
    await draw_now(first)
    second = await draw_now(second)
    assert second.results
    entry = await BallotEntry.get(ballot_id=second.id)
    assert entry.outcome == EntryOutcome.LOST
    assert second.results["refused"] == {entry.pseudonym: [[key(second), "ballot_cap_member_week"]]}
    assert await Booking.filter(member_id=member.id).count() == 1


async def test_wins_per_union_branch_per_day_are_capped() -> None:
    hall = await make_hall(courts=4)
    ballot = await make_ballot(hall, max_wins_per_branch_day=2)
    same = await make_members(3)
    other = (await make_members(1))[0]
    await Member.filter(id__in=[m.id for m in same]).update(union_branch="机务段工会")
    await Member.filter(id=other.id).update(union_branch="车站工会")
    for member in [*same, other]:
        await enter(ballot, member.id, ballots.any_court_key(key(ballot)))
    ballot = await draw_now(ballot)
    won = await Booking.filter(source=BookingSource.BALLOT).values_list("member_id", flat=True)
    assert len([m for m in won if m in {s.id for s in same}]) == 2
    assert other.id in won
    refused = [e for e in await BallotEntry.filter(ballot_id=ballot.id) if e.refusals]
    assert len(refused) == 1 and {r[1] for r in refused[0].refusals} == {"ballot_cap_branch_day"}
    assert _recomputed(ballot).won == ballot.results["won"]  # type: ignore[index]


async def test_suspensions_apply_at_the_draw_as_published_refusals() -> None:
    hall = await make_hall(courts=1)
    ballot = await make_ballot(hall)
    barred = await make_member()
    await enter(ballot, barred.id, key(ballot))
    # Suspended after entering: the draw, not the entry, applies it.
    until = clock.now() + timedelta(days=30)
    await Member.filter(id=barred.id).update(booking_suspended_until=until)
    ballot = await draw_now(ballot)
    assert ballot.results
    entry = await BallotEntry.get(ballot_id=ballot.id, member_id=barred.id)
    assert ballot.results["refused"] == {entry.pseudonym: [[key(ballot), "booking_suspended"]]}
    assert entry.outcome == EntryOutcome.LOST
    assert not await Booking.exists(source=BookingSource.BALLOT)
    assert _recomputed(ballot).won == ballot.results["won"] == {entry.pseudonym: None}


async def test_the_draw_run_twice_books_once_and_weighs_once() -> None:
    hall = await make_hall(courts=1)
    ballot = await make_ballot(hall)
    members = await make_members(3)
    for member in members:
        await enter(ballot, member.id, key(ballot))
    ballot = await draw_now(ballot)
    assert await ballot_draw.run_draw(ballot_id=ballot.id) == 0
    assert await Booking.filter(source=BookingSource.BALLOT).count() == 1
    losses = sorted(await BallotWeight.filter(facility_id=hall.id).values_list("losses", flat=True))
    assert losses == [0, 1, 1]
    lost = await Notification.filter(kind="ballot_lost")
    assert len(lost) == 2 and {n.detail["weight"] for n in lost} == {2}
    assert await Notification.filter(kind="ballot_won").count() == 1


async def test_a_draw_interrupted_mid_way_resumes_without_double_bookings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hall = await make_hall(courts=4)
    ballot = await make_ballot(hall, weekdays=(1, 2))
    members = await make_members(12)
    for member in members:
        await enter(ballot, member.id, ballots.any_court_key(key(ballot)),
                    ballots.any_court_key(key(ballot, 4)))  # fmt: skip
    ballot = await close_now(ballot)
    real_take, taken = bookings.take, []

    async def dies_after_three(**kwargs: object) -> Booking:
        if len(taken) == 3:
            raise RuntimeError("worker killed")
        taken.append(1)
        return await real_take(**kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(bookings, "take", dies_after_three)
    with pytest.raises(RuntimeError):
        await ballot_draw.run_draw(ballot_id=ballot.id)
    assert (await Ballot.get(id=ballot.id)).state == BallotState.CLOSED
    assert await Booking.filter(source=BookingSource.BALLOT).count() == 3
    monkeypatch.setattr(bookings, "take", real_take)
    assert await ballot_draw.run_draw(ballot_id=ballot.id) == 8
    ballot = await Ballot.get(id=ballot.id)
    booked = await Booking.filter(source=BookingSource.BALLOT).values_list("member_id", flat=True)
    assert len(booked) == len(set(booked)) == 8
    assert _recomputed(ballot).won == ballot.results["won"]  # type: ignore[index]


async def test_the_weighted_order_follows_the_published_weights() -> None:
    """At the ballot level: a member who lost twice (weight 3) against one who never lost
    (weight 1), for one place, over 2,000 fixed secrets, wins 3/4 of draws (4 sigma)."""
    hall = await make_hall(courts=1)
    ballot = await make_ballot(hall)
    heavy, light = await make_members(2)
    await BallotWeight.create(member=heavy, facility=hall, losses=2)
    await enter(ballot, heavy.id, key(ballot))
    await enter(ballot, light.id, key(ballot))
    ballot = await close_now(ballot)
    assert ballot.entry_hash
    entrants = ballot_draw.published_entrants(ballot)
    assert sorted(e.weight for e in entrants) == [1, 3]
    heavy_name = ballots.pseudonym(ballot.id, heavy.id)
    runs, wins = 2000, 0
    for n in range(runs):
        secret = f"{n:064x}"
        seed = draw.seed(secret, ballot.entry_hash)
        result = ballot_rounds.first_round(seed, entrants, _places(ballot))
        wins += result.won[heavy_name] is not None
    sigma = (0.75 * 0.25 / runs) ** 0.5
    assert abs(wins / runs - 0.75) < 4 * sigma


async def test_weights_are_capped_and_reset_by_a_win() -> None:
    hall = await make_hall(courts=1)
    ballot = await make_ballot(hall, max_weight=4)
    veteran = await make_member()
    await BallotWeight.create(member=veteran, facility=hall, losses=9)
    await enter(ballot, veteran.id, key(ballot))
    ballot = await close_now(ballot)
    assert (await BallotEntry.get(ballot_id=ballot.id)).weight == 4
    await ballot_draw.run_draw(ballot_id=ballot.id)
    assert (await BallotWeight.get(member=veteran, facility=hall)).losses == 0


async def test_closing_an_account_withdraws_its_entry_and_its_branch() -> None:
    from palace.services.accounts import data_rights
    from tests.helpers import PASSWORD

    hall = await make_hall(partners_allowed=True)
    ballot = await make_ballot(hall)
    member, booker = await make_members(2)
    await Member.filter(id=member.id).update(union_branch="机务段工会")
    await enter(ballot, member.id, key(ballot))
    await enter(ballot, booker.id, key(ballot), partners=[member.card_no])
    exported = await data_rights.export(member_id=member.id)
    assert exported["profile"]["union_branch"] == "机务段工会"
    assert [e["ballot_id"] for e in exported["ballot_entries"]] == [ballot.id]
    assert "partner_cards" not in exported["ballot_entries"][0]
    await data_rights.close(member_id=member.id, password=PASSWORD)
    assert not await BallotEntry.exists(ballot_id=ballot.id, member_id=member.id,
                                        withdrawn_at=None)  # fmt: skip
    assert (await Member.get(id=member.id)).union_branch is None
    named = await BallotEntry.get(ballot_id=ballot.id, member_id=booker.id)
    assert member.card_no not in named.partner_cards
