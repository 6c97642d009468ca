"""What the ballot pages show: a member's entry page, their entries on My bookings, and
the public fairness figures. Decided here; templates only render."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from palace.models import (
    Ballot,
    BallotEntry,
    BallotState,
    EntryOutcome,
    Resource,
)
from palace.services.core import clock
from palace.services.fairness import ballot_publish, ballots
from palace.services.fairness.ballot_setup import settings_for

RECENT_DRAWS = 8
FRESH_WEEKS = 4  # "had not won in the last 4 weeks"


@dataclass(frozen=True)
class Option:
    """A choice on the entry form: a court at a time, or any court (``resource`` None)."""

    key: str
    starts_at: datetime
    resource: Resource | None


@dataclass(frozen=True)
class EntryPage:
    ballot: Ballot  # with ``facility``
    options: list[Option]
    entry: BallotEntry | None
    weight: int  # the weight the member would enter with now, or entered with
    open: bool  # taking entries now
    choices: list[str] = field(default_factory=list)  # the entry's, padded to three
    max_weight: int = 1

    @property
    def next_weight(self) -> int:
        """The weight a loss in this ballot leaves the member with (capped)."""
        return min(self.weight + 1, self.max_weight)

    @property
    def drawn(self) -> bool:
        return self.ballot.state in ballot_publish.DRAWN


async def _options(ballot: Ballot) -> list[Option]:
    courts = {r.id: r for r in await Resource.filter(facility_id=ballot.facility_id)}
    found: list[Option] = []
    for place in ballot.places:
        starts_at = datetime.fromisoformat(str(place["starts_at"]))
        key = str(place["key"])
        if not found or found[-1].starts_at != starts_at:
            found.append(Option(ballots.any_court_key(key), starts_at, None))
        found.append(Option(key, starts_at, courts.get(int(place["resource_id"]))))
    return found


async def entry_page(*, ballot_id: int, member_id: int) -> EntryPage:
    ballot = await ballot_publish.ballot(ballot_id)
    entry = await ballots.entry_of(ballot_id=ballot.id, member_id=member_id)
    settings = await settings_for(ballot.facility_id)
    if entry is not None and entry.weight is not None:
        weight = entry.weight
    else:
        weight = await ballots.weight_of(member_id=member_id, facility_id=ballot.facility_id,
                                         max_weight=settings.max_weight)  # fmt: skip
    now = clock.now()
    is_open = ballot.state == BallotState.OPEN and ballot.opens_at <= now < ballot.closes_at
    chosen = list(entry.choices) if entry else []
    padded = chosen + [""] * (ballots.MAX_CHOICES - len(chosen))
    return EntryPage(
        ballot, await _options(ballot), entry, weight, is_open, padded, settings.max_weight
    )


@dataclass(frozen=True)
class EntryLine:
    """One of the member's entries as My bookings lists it."""

    entry: BallotEntry  # with ``ballot`` and its ``facility``
    state: str  # a label id: taking entries, closed, won, not drawn
    won_at: datetime | None
    next_weight: int | None  # after a loss: the weight for the hall's next ballot


async def entry_lines(*, member_id: int) -> list[EntryLine]:
    lines = []
    for entry in await ballots.entries_of(member_id=member_id):
        ballot = entry.ballot
        won_at = None
        if entry.outcome == EntryOutcome.WON and entry.won_key:
            place = next((p for p in ballot.places if p["key"] == entry.won_key), None)
            won_at = datetime.fromisoformat(str(place["starts_at"])) if place else None
        next_weight = None
        if entry.outcome == EntryOutcome.LOST:
            max_weight = (await settings_for(ballot.facility_id)).max_weight
            next_weight = min((entry.weight or 1) + 1, max_weight)
        state = entry.outcome.value if entry.outcome else ballot.state.value
        lines.append(EntryLine(entry, state, won_at, next_weight))
    return lines


# The public fairness page.


@dataclass(frozen=True)
class Demand:
    starts_at: datetime
    entries: int  # entries naming this time (any court, any rank)
    places: int


@dataclass(frozen=True)
class OpenFigures:
    ballot: Ballot
    entrants: int
    demand: list[Demand]


@dataclass(frozen=True)
class DrawFigures:
    ballot: Ballot
    entrants: int
    winners: int
    fresh_winners: int  # winners with no win in the hall's ballots of the 4 weeks before
    weights: list[tuple[int, int]]  # (weight, entrants with it)

    @property
    def win_rate(self) -> float:
        return self.winners / self.entrants if self.entrants else 0.0

    @property
    def fresh_share(self) -> float:
        return self.fresh_winners / self.winners if self.winners else 0.0


@dataclass(frozen=True)
class Fairness:
    open: list[OpenFigures]
    drawn: list[DrawFigures]


async def fairness() -> Fairness:
    open_ = [await _open_figures(b) for b in await ballots.open_ballots()]
    recent = (
        await Ballot.filter(state__in=ballot_publish.DRAWN)
        .select_related("facility")
        .order_by("-drawn_at")
        .limit(RECENT_DRAWS)
    )
    return Fairness(open_, [await _draw_figures(b) for b in recent])


async def _open_figures(ballot: Ballot) -> OpenFigures:
    entries = await BallotEntry.filter(ballot_id=ballot.id, withdrawn_at=None)
    places: Counter[str] = Counter()
    starts: dict[str, datetime] = {}
    for place in ballot.places:
        time_key = ballots.any_court_key(str(place["key"]))
        places[time_key] += int(place["places"])
        starts[time_key] = datetime.fromisoformat(str(place["starts_at"]))
    named: Counter[str] = Counter()
    for entry in entries:
        named.update({ballots.any_court_key(c) for c in entry.choices if "/" in c})
    demand = [Demand(starts[k], named[k], n) for k, n in places.items()]
    return OpenFigures(ballot, len(entries), demand)


async def _draw_figures(ballot: Ballot) -> DrawFigures:
    entries = await BallotEntry.filter(ballot_id=ballot.id, withdrawn_at=None)
    winners = [e.member_id for e in entries if e.outcome == EntryOutcome.WON]
    before = await BallotEntry.filter(
        ballot__facility_id=ballot.facility_id,
        ballot__week_start__gte=ballot.week_start - timedelta(weeks=FRESH_WEEKS),
        ballot__week_start__lt=ballot.week_start,
        outcome=EntryOutcome.WON,
        member_id__in=winners,
    ).values_list("member_id", flat=True)
    weights = Counter(e.weight or 1 for e in entries)
    return DrawFigures(
        ballot=ballot,
        entrants=len(entries),
        winners=len(winners),
        fresh_winners=len(set(winners) - set(before)),
        weights=sorted(weights.items()),
    )


@dataclass(frozen=True)
class Winner:
    rank: int  # place in the drawn order
    pseudonym: str
    starts_at: datetime
    court: Resource | None
    second_round: bool


@dataclass(frozen=True)
class DrawPage:
    ballot: Ballot  # with ``facility``
    doc: dict[str, Any]  # as published now
    winners: list[Winner]


def _winner(
    rank: int, name: str, place: dict[str, Any], courts: dict[int, Resource], again: bool
) -> Winner:
    starts_at = datetime.fromisoformat(str(place["starts_at"]))
    return Winner(rank, name, starts_at, courts.get(int(place["resource_id"])), again)


async def draw_page(*, ballot_id: int) -> DrawPage:
    """A ballot's public page: what is published so far, and the winners once drawn."""
    ballot = await ballot_publish.ballot(ballot_id)
    doc = ballot_publish.document(ballot)
    results = doc.get("results") or {}
    if not results:
        return DrawPage(ballot, doc, [])
    courts = {r.id: r for r in await Resource.filter(facility_id=ballot.facility_id)}
    places = {str(p["key"]): p for p in ballot.places}
    second = (results.get("second_round") or {}).get("won", {})
    rank = {name: n for n, name in enumerate(results["order"], 1)}
    won = [(name, key, False) for name, key in results["won"].items() if key]
    won += [(name, key, True) for name, key in second.items() if key]
    winners = [_winner(rank[name], name, places[key], courts, again) for name, key, again in won]
    return DrawPage(ballot, doc, sorted(winners, key=lambda w: (w.second_round, w.rank)))
