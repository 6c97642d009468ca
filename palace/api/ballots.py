"""Ballots for prime time: the ballots to see, one ballot with my entry, entering,
changing and withdrawing (as palace/web/ballots.py); and, for anyone without a token,
a ballot's published draw file and the check of such a file (as /verify)."""

from datetime import date
from typing import Annotated, Any

import msgspec

from palace.api.errors import text
from palace.api.operations import MEMBER, Call, operation
from palace.api.shapes import Instant, Name, Option, name_of, option_of
from palace.models import Ballot as BallotRow
from palace.services.core import clock
from palace.services.fairness import ballot_publish, ballot_verify, ballot_views, ballots
from palace.services.fairness.ballots import EntryForm

TAG = "ballots"
# A published file of 5,000 entries is about 1 MB: four times that is still a ballot.
DRAW_FILE_MAX = 4 * 1024 * 1024
Key = Annotated[str, msgspec.Meta(max_length=60)]
Card = Annotated[str, msgspec.Meta(max_length=40)]


class Timeline(msgspec.Struct, frozen=True):
    opens_at: Instant  # entries from
    closes_at: Instant  # entries until; the entry list is published then
    draw_at: Instant
    release_at: Instant  # places nobody won are bookable first-come from then


class Demand(msgspec.Struct, frozen=True):
    """One time of an open ballot: the entries naming it so far against its places."""

    starts_at: Instant
    entries: int
    places: int


class BallotHead(msgspec.Struct, frozen=True):
    id: int
    hall: Name
    hall_code: str
    week: date  # its Monday
    state: str  # open, closed, drawn, released
    timeline: Timeline


class Ballot(BallotHead, frozen=True):
    entrants: int
    demand: list[Demand]  # an open ballot's times (the odds before entering); else empty
    winners: int | None  # a drawn ballot: how many won a place


class Entry(msgspec.Struct, frozen=True):
    choices: list[str]  # option keys, first choice first
    partners: list[str]  # card numbers, invited to the booking if the entry wins
    any_other_time: bool  # in the second round if it wins nothing
    entered_at: Instant
    pseudonym: str | None  # my name in the published entry list, from the close
    outcome: str | None  # won, lost: after the draw
    won_key: str | None  # the option won
    booking_id: int | None  # the booking the win made


class EntryPage(BallotHead, frozen=True):
    """One ballot and my entry in it."""

    open: bool  # taking entries now: enter, change or withdraw
    weight: int  # my weight in the draw: entered with, or would enter with now
    options: list[Option]
    entry: Entry | None


class EntryIn(msgspec.Struct, frozen=True):
    """My entry, replacing the one I have: at most three choices, first choice first."""

    choices: Annotated[list[Key], msgspec.Meta(max_length=10)]
    partners: Annotated[list[Card], msgspec.Meta(max_length=6)] = []
    any_other_time: bool = False


class DrawBallot(msgspec.Struct, frozen=True):
    id: int
    hall: str  # the hall's code
    week: date
    state: str


class DrawPlace(msgspec.Struct, frozen=True):
    key: str
    places: int


class Entrant(msgspec.Struct, frozen=True):
    pseudonym: str
    weight: int
    choices: list[str]  # "any-other-time" last: in the second round


class Round(msgspec.Struct, frozen=True):
    order: list[str]  # pseudonyms, as drawn
    won: dict[str, str | None]  # pseudonym: the place key won, or null
    refused: dict[str, list[tuple[str, str]]]  # pseudonym: [place key, why]


class Results(Round, frozen=True):
    second_round: Round | None = None


class DrawFile(msgspec.Struct, frozen=True):
    """A ballot as published so far: places, commitment and algorithm from the opening;
    the entry list and its hash from the close; the secret, seed and results after the
    draw. The bytes are those of the draw page's file (/ballots/{id}/draw.json)."""

    format: str
    ballot: DrawBallot
    algorithm: str
    commitment: str
    timeline: Timeline
    places: list[DrawPlace]
    entries: list[Entrant] | None = None
    entry_hash: str | None = None
    beacon: str | None = None
    secret: str | None = None
    seed: str | None = None
    results: Results | None = None


# The body is the file as it was downloaded: checked as it is, not reshaped on the way.
DrawFileIn = Annotated[
    Any,
    msgspec.Meta(title="DrawFileIn",
                 description="A published draw file (GET /ballots/{ballot_id}/draw or "
                 "/queues/{queue_id}/draw)"),
]  # fmt: skip


class Reason(msgspec.Struct, frozen=True):
    code: str
    detail: str  # in the language asked
    params: dict[str, str]  # e.g. the pseudonym whose place differs


class Verdict(msgspec.Struct, frozen=True):
    matches: bool
    drawn: bool  # the file holds the results (else only what is published so far)
    reasons: list[Reason]  # every check that failed


def _timeline(row: BallotRow) -> Timeline:
    return Timeline(clock.utc(row.opens_at), clock.utc(row.closes_at), clock.utc(row.draw_at),
                    clock.utc(row.release_at))  # fmt: skip


def _head(row: BallotRow) -> dict[str, Any]:
    hall = row.facility
    return {"id": row.id, "hall": name_of(hall), "hall_code": hall.code, "week": row.week_start,
            "state": row.state.value, "timeline": _timeline(row)}  # fmt: skip


def _open(figures: ballot_views.OpenFigures) -> Ballot:
    demand = [Demand(clock.utc(d.starts_at), d.entries, d.places) for d in figures.demand]
    return Ballot(**_head(figures.ballot), entrants=figures.entrants, demand=demand,
                  winners=None)  # fmt: skip


def _drawn(figures: ballot_views.DrawFigures) -> Ballot:
    return Ballot(**_head(figures.ballot), entrants=figures.entrants, demand=[],
                  winners=figures.winners)  # fmt: skip


def _entry(shown: ballot_views.EntryPage) -> Entry | None:
    e = shown.entry
    if e is None:
        return None
    outcome = e.outcome.value if e.outcome else None
    return Entry(list(e.choices), list(e.partner_cards), e.any_other_time,
                 clock.utc(e.created_at), e.pseudonym, outcome, e.won_key,
                 e.booking_id)  # fmt: skip


def entry_page_of(shown: ballot_views.EntryPage) -> EntryPage:
    options = [option_of(o) for o in shown.options]
    return EntryPage(**_head(shown.ballot), open=shown.open, weight=shown.weight,
                     options=options, entry=_entry(shown))  # fmt: skip


@operation("GET", "/ballots", scopes=MEMBER, tag=TAG, response=list[Ballot])
async def ballots_list(call: Call[None, None]) -> list[Ballot]:
    """Ballots taking entries (with the entries per place so far), then the latest drawn."""
    figures = await ballot_views.fairness()
    return [_open(f) for f in figures.open] + [_drawn(d) for d in figures.drawn]


async def _entry_page(call: Call[Any, None], ballot_id: int) -> EntryPage:
    shown = await ballot_views.entry_page(ballot_id=ballot_id, member_id=call.member_id)
    return entry_page_of(shown)


@operation("GET", "/ballots/{ballot_id}", scopes=MEMBER, tag=TAG, response=EntryPage)
async def ballot(call: Call[None, None]) -> EntryPage:
    """One ballot: its options, my weight, and my entry (outcome after the draw)."""
    return await _entry_page(call, call.path_id("ballot_id"))


@operation("PUT", "/ballots/{ballot_id}/entry", scopes=MEMBER, tag=TAG, body=EntryIn,
           response=EntryPage)  # fmt: skip
async def save_entry(call: Call[EntryIn, None]) -> EntryPage:
    """Enter the ballot, or change my entry, while it takes entries."""
    ballot_id, b = call.path_id("ballot_id"), call.body
    form = EntryForm(list(b.choices), list(b.partners), any_other_time=b.any_other_time)
    await ballots.save_entry(ballot_id=ballot_id, member_id=call.member_id, form=form,
                             actor_id=call.member_id)  # fmt: skip
    return await _entry_page(call, ballot_id)


@operation("DELETE", "/ballots/{ballot_id}/entry", scopes=MEMBER, tag=TAG)
async def withdraw_entry(call: Call[None, None]) -> None:
    """Withdraw my entry while the ballot takes entries."""
    await ballots.withdraw_from(ballot_id=call.path_id("ballot_id"), member_id=call.member_id,
                                actor_id=call.member_id)  # fmt: skip


@operation("GET", "/ballots/{ballot_id}/draw", scopes=None, tag=TAG, response=DrawFile)
async def draw_file(call: Call[None, None]) -> msgspec.Raw:
    """The ballot's draw file as published so far, for anyone (no token)."""
    found = await ballot_publish.published(ballot_id=call.path_id("ballot_id"))
    return msgspec.Raw(ballot_publish.as_file(found))


@operation("POST", "/verify-draw", scopes=None, tag=TAG, body=DrawFileIn, response=Verdict,
           body_max=DRAW_FILE_MAX)  # fmt: skip
async def verify_draw(call: Call[Any, None]) -> Verdict:
    """Check a published draw file, for anyone (no token): whether it all matches, and
    every check that does not."""
    verdict = ballot_verify.verify(call.body)
    return Verdict(verdict.matches, verdict.drawn, [_reason(r, call.lang) for r in verdict.reasons])


def _reason(reason: ballot_verify.Reason, lang: str) -> Reason:
    params = {name: str(value) for name, value in reason.params.items()}
    return Reason(reason.code, text(lang, reason.code, reason.params), params)


operations = [ballots_list, ballot, save_entry, withdraw_entry, draw_file, verify_draw]
