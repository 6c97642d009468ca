"""The ballot's draw, run by a worker: winners booked through the booking core, in order.

The order is the one draw's (services/fairness/draw), from the seed derived at the
draw. In that order each entry gets its highest-ranked choice still free that the caps
allow (wins per member per week, per union branch per day) and that the booking core
accepts (source ``ballot``: quotas, suspensions, clashes); whatever refused a choice is
recorded and published, so ``ballot_rounds`` recomputes the same result.

Each entry is decided in its own transaction that first moves its ``drawn_round`` by a
conditional UPDATE: a draw run twice, or resumed after a worker died mid-way, decides
(and books) each entry once; entries already decided are replayed from the database,
and since the order is fixed by the seed the re-run goes on exactly where it stopped.
The ballot's state moves last, with the results, the weights and the losers' messages,
so those happen once.
"""

import contextlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from tortoise.expressions import F

from palace.models import (
    Ballot,
    BallotEntry,
    BallotSettings,
    BallotState,
    BallotWeight,
    Booking,
    BookingSource,
    EntryOutcome,
    Member,
)
from palace.services.booking import partners
from palace.services.booking.bookings import BookingError
from palace.services.core import after_commit, audit, clock
from palace.services.fairness import ballot_rounds, beacon, draw
from palace.services.fairness.ballot_setup import settings_for
from palace.services.fairness.draw import Entrant
from palace.services.fairness.places import take as take_place
from palace.services.messages import notifications


@dataclass
class _Run:
    """One round of one ballot's draw, as it goes."""

    ballot: Ballot
    settings: BallotSettings
    seed: str
    round_no: int
    places: dict[str, dict[str, Any]]  # key -> the place as the ballot fixed it
    left: dict[str, int]
    entries: dict[str, BallotEntry]  # by pseudonym
    branches: dict[int, str | None]
    week_wins: Counter[int] = field(default_factory=Counter)
    branch_wins: Counter[tuple[str, date]] = field(default_factory=Counter)
    won: dict[str, str | None] = field(default_factory=dict)
    refused: dict[str, list[str]] = field(default_factory=dict)

    def count_win(self, member_id: int, key: str) -> None:
        self.left[key] -= 1
        self.week_wins[member_id] += 1
        if branch := self.branches.get(member_id):
            self.branch_wins[(branch, _day(key))] += 1

    def cap_refusal(self, member_id: int, key: str) -> str | None:
        if self.week_wins[member_id] >= self.settings.max_wins_per_week:
            return "ballot_cap_member_week"
        cap, branch = self.settings.max_wins_per_branch_day, self.branches.get(member_id)
        if cap and branch and self.branch_wins[(branch, _day(key))] >= cap:
            return "ballot_cap_branch_day"
        return None


def _day(key: str) -> date:
    return date.fromisoformat(key[:10])


def published_entrants(ballot: Ballot) -> list[Entrant]:
    rows = ballot.entry_list or []
    return [Entrant(r["pseudonym"], r["weight"], tuple(r["choices"])) for r in rows]


async def seed_of(ballot: Ballot) -> str:
    """sha256(secret || entry hash [|| beacon]): fixed once the entries and beacon are."""
    assert ballot.entry_hash is not None
    return draw.seed(ballot.secret, ballot.entry_hash, ballot.beacon)


async def run_draw(*, ballot_id: int) -> int:
    """Draw a closed ballot whose time has come (the first round); the winners booked.
    Returns the entries won; 0 when there is nothing to do (not due, drawn already)."""
    ballot = await Ballot.get_or_none(id=ballot_id)
    if ballot is None or ballot.state != BallotState.CLOSED or clock.now() < ballot.draw_at:
        return 0
    ballot.beacon = await beacon.complete(ballot.beacon)
    run = await _start(ballot, await seed_of(ballot), 1, _places(ballot))
    entrants = ballot_rounds.first_round_entrants(published_entrants(ballot), list(run.places))
    await _go(run, entrants)
    if not await _finish_first(run, entrants):
        return 0
    return sum(key is not None for key in run.won.values())


def _places(ballot: Ballot) -> dict[str, int]:
    return {str(p["key"]): int(p["places"]) for p in ballot.places}


async def _start(ballot: Ballot, seed: str, round_no: int, left: dict[str, int]) -> _Run:
    entries = await BallotEntry.filter(ballot_id=ballot.id, withdrawn_at=None)
    by_name = {e.pseudonym: e for e in entries if e.pseudonym is not None}
    member_ids = [e.member_id for e in entries]
    members = await Member.filter(id__in=member_ids).only("id", "union_branch")
    run = _Run(
        ballot=ballot,
        settings=await settings_for(ballot.facility_id),
        seed=seed,
        round_no=round_no,
        places={str(p["key"]): p for p in ballot.places},
        left=left,
        entries=by_name,
        branches={m.id: m.union_branch for m in members},
    )
    # Wins in other halls' ballots of the same week count against the member's cap.
    elsewhere = await BallotEntry.filter(
        ballot__week_start=ballot.week_start, outcome=EntryOutcome.WON, member_id__in=member_ids
    ).exclude(ballot_id=ballot.id)
    run.week_wins.update(e.member_id for e in elsewhere)
    return run


async def _go(run: _Run, entrants: list[Entrant]) -> None:
    """Each entrant in drawn order: replayed if decided already, else decided now."""
    for entrant in draw.order(run.seed, entrants):
        entry = run.entries[entrant.pseudonym]
        if entry.drawn_round >= run.round_no:
            _replay(run, entry)
        elif any(run.left.get(key, 0) > 0 for key in entrant.choices):
            await _decide(run, entry, entrant.choices)
        else:
            run.won[entrant.pseudonym] = None  # nothing it asked for is left


def _replay(run: _Run, entry: BallotEntry) -> None:
    """An entry a run before this one decided: count it as it was decided."""
    assert entry.pseudonym is not None
    mine = [str(r[0]) for r in entry.refusals if r[2] == run.round_no]
    if mine:
        run.refused[entry.pseudonym] = mine
    won_now = entry.outcome == EntryOutcome.WON and entry.drawn_round == run.round_no
    run.won[entry.pseudonym] = entry.won_key if won_now else None
    if won_now and entry.won_key is not None:
        run.count_win(entry.member_id, entry.won_key)


async def _decide(run: _Run, entry: BallotEntry, choices: tuple[str, ...]) -> None:
    async with after_commit.transaction():
        claimed = await BallotEntry.filter(id=entry.id, drawn_round=run.round_no - 1).update(
            drawn_round=run.round_no
        )
        if claimed:
            await _try_choices(run, entry, choices)
    if not claimed:  # another run decided it meanwhile: count it as that run did
        _replay(run, await BallotEntry.get(id=entry.id))


async def _try_choices(run: _Run, entry: BallotEntry, choices: tuple[str, ...]) -> None:
    assert entry.pseudonym is not None
    refusals: list[list[Any]] = []
    for key in choices:
        if run.left.get(key, 0) <= 0:
            continue
        code = run.cap_refusal(entry.member_id, key)
        booking = None
        if code is None:
            try:
                booking = await _book(run, entry, key)
            except BookingError as error:
                code = error.code
        if booking is None:
            refusals.append([key, code, run.round_no])
            run.refused.setdefault(entry.pseudonym, []).append(key)
            continue
        run.count_win(entry.member_id, key)
        run.won[entry.pseudonym] = key
        await _save(entry, EntryOutcome.WON, key, booking.id, refusals)
        return
    run.won[entry.pseudonym] = None
    await _save(entry, EntryOutcome.LOST, None, None, refusals)


async def _save(
    entry: BallotEntry,
    outcome: EntryOutcome,
    key: str | None,
    booking_id: int | None,
    refusals: list[list[Any]],
) -> None:
    await BallotEntry.filter(id=entry.id).update(
        outcome=outcome, won_key=key, booking_id=booking_id, refusals=entry.refusals + refusals
    )


async def _book(run: _Run, entry: BallotEntry, key: str) -> Booking:
    """The place, through the booking core; its partners invited, the winner told."""
    booking = await take_place(
        run.places[key], member_id=entry.member_id, source=BookingSource.BALLOT
    )
    if entry.partner_cards:
        # Partners since disallowed in the hall: the place is still the member's.
        with contextlib.suppress(BookingError):
            await partners.set_partners(
                member_id=entry.member_id, booking_id=booking.id, card_nos=entry.partner_cards
            )
    await notifications.notify(
        member_id=entry.member_id,
        kind="ballot_won",
        booking_id=booking.id,
        detail={
            "ballot_id": run.ballot.id,
            "facility_id": booking.facility_id,
            "resource_id": booking.resource_id,
            "slot_id": booking.slot_id,
            "starts_at": clock.utc(booking.starts_at).isoformat(),
            "round": run.round_no,
        },
    )
    return booking


def _results(run: _Run, entrants: list[Entrant]) -> dict[str, Any]:
    refusals = {
        e.pseudonym: [[str(r[0]), str(r[1])] for r in e.refusals if r[2] == run.round_no]
        for e in run.entries.values()
        if e.pseudonym is not None
    }
    return {
        "order": [e.pseudonym for e in draw.order(run.seed, entrants)],
        "won": {e.pseudonym: run.won.get(e.pseudonym) for e in entrants},
        "refused": {name: rows for name, rows in refusals.items() if rows},
    }


async def _finish_first(run: _Run, entrants: list[Entrant]) -> bool:
    """The ballot drawn: state, seed, results, weights and messages, once."""
    ballot = run.ballot
    async with after_commit.transaction():
        moved = await Ballot.filter(id=ballot.id, state=BallotState.CLOSED).update(
            state=BallotState.DRAWN, drawn_at=clock.now(), seed=run.seed, beacon=ballot.beacon
        )
        if not moved:
            return False
        await BallotEntry.filter(ballot_id=ballot.id, withdrawn_at=None, drawn_round=0).update(
            drawn_round=1, outcome=EntryOutcome.LOST
        )
        run.entries = {
            e.pseudonym: e
            for e in await BallotEntry.filter(ballot_id=ballot.id, withdrawn_at=None)
            if e.pseudonym is not None
        }
        ballot.results = _results(run, entrants)
        await ballot.save(update_fields=["results"])
        await _weigh(run)
        await audit.record(
            actor_id=None, entity="ballot", entity_id=ballot.id, action="ballot_draw",
            from_state=BallotState.CLOSED, to_state=BallotState.DRAWN,
            detail={"seed": run.seed, "won": sum(k is not None for k in run.won.values())},
        )  # fmt: skip
        await after_commit.enqueue(
            "ballot_second_round", ballot.id, job_id=f"ballot-second:{ballot.id}"
        )
    return True


async def _weigh(run: _Run) -> None:
    """Losses: a win resets them, a loss adds one; each loser is told their new weight."""
    ballot, entries = run.ballot, list(run.entries.values())
    await BallotWeight.bulk_create(
        [BallotWeight(member_id=e.member_id, facility_id=ballot.facility_id) for e in entries],
        ignore_conflicts=True,
    )
    winners = [e.member_id for e in entries if e.outcome == EntryOutcome.WON]
    losers = [e for e in entries if e.outcome != EntryOutcome.WON]
    mine = BallotWeight.filter(facility_id=ballot.facility_id)
    await mine.filter(member_id__in=winners).update(losses=0)
    await mine.filter(member_id__in=[e.member_id for e in losers]).update(losses=F("losses") + 1)
    for entry in losers:
        await notifications.notify(
            member_id=entry.member_id,
            kind="ballot_lost",
            detail={
                "ballot_id": ballot.id,
                "facility_id": ballot.facility_id,
                "starts_at": clock.at(ballot.week_start, 0).isoformat(),
                "weight": min((entry.weight or 1) + 1, run.settings.max_weight),
            },
        )


async def run_second_round(*, ballot_id: int) -> int:
    """Places the first round left, to those who asked for any other time; once."""
    ballot = await Ballot.get_or_none(id=ballot_id)
    if ballot is None or ballot.state != BallotState.DRAWN or ballot.second_round_at is not None:
        return 0
    assert ballot.seed is not None and ballot.results is not None
    first_won = dict(ballot.results["won"])
    left = ballot_rounds.leftovers(_places(ballot), first_won)
    run = await _start(ballot, ballot.seed, 2, left)
    for entry in run.entries.values():  # the first round's winners count against caps
        if entry.outcome == EntryOutcome.WON and entry.won_key and entry.drawn_round == 1:
            run.week_wins[entry.member_id] += 1
            if branch := run.branches.get(entry.member_id):
                run.branch_wins[(branch, _day(entry.won_key))] += 1
    takers = ballot_rounds.second_round_entrants(published_entrants(ballot), left, first_won)
    await _go(run, takers)
    async with after_commit.transaction():
        moved = await Ballot.filter(
            id=ballot.id, state=BallotState.DRAWN, second_round_at=None
        ).update(second_round_at=clock.now())
        if not moved:
            return 0
        run.entries = {e.pseudonym: e for e in await BallotEntry.filter(
            ballot_id=ballot.id, withdrawn_at=None) if e.pseudonym}  # fmt: skip
        ballot.results = {**ballot.results, "second_round": _results(run, takers)}
        await ballot.save(update_fields=["results"])
        winners = [e.member_id for e in run.entries.values() if e.drawn_round == 2
                   and e.outcome == EntryOutcome.WON]  # fmt: skip
        await BallotWeight.filter(facility_id=ballot.facility_id, member_id__in=winners).update(
            losses=0
        )
    return len(winners)


async def release(*, ballot_id: int) -> bool:
    """Leftovers become first-come at the set time, once the second round is done."""
    async with after_commit.transaction():
        moved = await Ballot.filter(
            id=ballot_id,
            state=BallotState.DRAWN,
            second_round_at__isnull=False,
            release_at__lte=clock.now(),
        ).update(state=BallotState.RELEASED, released_at=clock.now())
        if moved:
            await audit.record(
                actor_id=None, entity="ballot", entity_id=ballot_id, action="ballot_release",
                from_state=BallotState.DRAWN, to_state=BallotState.RELEASED,
            )  # fmt: skip
    return bool(moved)
