"""The desk's devices: check-in by a booking's code or a card number, the Now board,
walk-ins (as palace/web/checkin.py). A paired scanner's token (scope "checkin") may
check in and read the board; walk-ins need a desk clerk's token (scope "desk")."""

from typing import Annotated

import msgspec

from palace.api.errors import text
from palace.api.operations import CHECK_IN, DESK, Call, operation
from palace.api.shapes import Id, Instant, Name, name_of, reachable
from palace.services.core import clock
from palace.services.core.errors import ServiceError
from palace.services.desk import checkin, now_board, walkins

TAG = "desk"
Typed = Annotated[str, msgspec.Meta(max_length=400)]


class CheckIn(msgspec.Struct, frozen=True):
    """A booking's code (what its QR holds) or a member's card number; one of them."""

    code: Typed | None = None
    card: Annotated[str, msgspec.Meta(max_length=40)] | None = None
    hall_id: Id | None = None  # the desk's hall: a booking elsewhere is a warning


class Person(msgspec.Struct, frozen=True):
    name: str  # a partner's masked, as the desk's screen shows it
    booker: bool
    state: str  # due, checked_in, late, no_show, cancelled, …


class Result(msgspec.Struct, frozen=True):
    ok: bool  # checked in (now or before); otherwise ``code`` says why not
    code: str
    detail: str
    booking_id: int | None
    title: Name | None
    starts_at: Instant | None
    people: list[Person]


class Expected(msgspec.Struct, frozen=True):
    booking_id: int
    people: list[Person]


class Period(msgspec.Struct, frozen=True):
    resource_id: int
    slot_id: int | None  # a class session's slot; None: a timetable time nobody booked
    session: bool
    starts_at: Instant
    ends_at: Instant
    closed: bool
    free: int
    walk_in: bool  # the desk may book someone standing there into it now
    expected: list[Expected]


class BoardCourt(msgspec.Struct, frozen=True):
    resource_id: int
    name: Name
    periods: list[Period]


class BoardHall(msgspec.Struct, frozen=True):
    id: int
    name: Name
    guests_allowed: bool
    courts: list[BoardCourt]


class Board(msgspec.Struct, frozen=True):
    at: Instant
    live: bool  # anything still on or to come today
    halls: list[BoardHall]


class BoardQuery(msgspec.Struct, frozen=True):
    hall_id: Id | None = None


class WalkIn(msgspec.Struct, frozen=True):
    """A place the board offers (a class's ``slot_id``, or a court's ``resource_id`` and
    ``starts_at``) for a member's ``card`` or, where the hall allows, a named ``guest``."""

    slot_id: Id | None = None
    resource_id: Id | None = None
    starts_at: Instant | None = None
    card: Annotated[str, msgspec.Meta(max_length=40)] = ""
    guest: Annotated[str, msgspec.Meta(max_length=80)] = ""


def people_of(people: list[checkin.Attendee]) -> list[Person]:
    return [Person(p.shown_name, p.booker, p.state.value) for p in people]


def result_of(result: checkin.Result, lang: str) -> Result:
    # The booker's name goes into texts such as "nothing_due", as on the desk's screen.
    params = {"name": result.people[0].name if result.people else "", **result.params}
    b = result.booking
    title = Name(zh=result.name("zh-CN"), en=result.name("en")) if result.name else None
    people = people_of(result.people)
    return Result(result.ok or result.code == "walked_in", result.code,
                  text(lang, result.code, params), b.id if b else None, title,
                  clock.utc(b.starts_at) if b else None, people)  # fmt: skip


@operation("POST", "/desk/checkin", scopes=CHECK_IN, tag=TAG, body=CheckIn, response=Result)
async def check_in(call: Call[CheckIn, None]) -> Result:
    """Check in by a booking's code (everyone on it) or a card (its holder, due now)."""
    b, actor = call.body, call.member_id
    if b.code:
        done = await checkin.by_code(actor_id=actor, token=b.code, facility_id=b.hall_id)
    elif b.card:
        done = await checkin.by_card(actor_id=actor, card=b.card, facility_id=b.hall_id)
    else:
        raise ServiceError("invalid_code")
    return result_of(done, call.lang)


def _period(period: now_board.Period) -> Period:
    expected = [Expected(e.booking.id, people_of(e.people)) for e in period.expected]
    slot_id = period.slot.id if period.is_session and period.slot else None
    return Period(period.resource.id, slot_id, period.is_session, clock.utc(period.starts_at),
                  clock.utc(period.ends_at), period.closed or period.cancelled, period.free,
                  period.walk_in, expected)  # fmt: skip


@operation("GET", "/desk/board", scopes=CHECK_IN, tag=TAG, query=BoardQuery, response=Board)
async def board(call: Call[None, BoardQuery]) -> Board:
    """The Now board: per hall and court, what is on now and next, and who is expected."""
    shown = await now_board.board(facility_id=call.query.hall_id)
    halls = [
        BoardHall(
            h.facility.id,
            name_of(h.facility),
            h.guests_allowed,
            [
                BoardCourt(
                    row.resource.id, name_of(row.resource), [_period(p) for p in row.periods]
                )
                for row in h.rows
            ],
        )
        for h in shown.halls
    ]
    return Board(clock.utc(shown.at), shown.live, halls)


@operation("POST", "/desk/walk-ins", scopes=DESK, tag=TAG, body=WalkIn, response=Result,
           status=201)  # fmt: skip
async def walk_in(call: Call[WalkIn, None]) -> Result:
    """Book and check in someone standing at the desk, into a place on now."""
    b = call.body
    if not reachable(b.starts_at):
        raise ServiceError("unknown_slot")
    done = await walkins.walk_in(actor_id=call.member_id, slot_id=b.slot_id,
                                 resource_id=b.resource_id, starts_at=b.starts_at,
                                 card=b.card, guest_name=b.guest)  # fmt: skip
    return result_of(done, call.lang)


operations = [check_in, board, walk_in]
