"""Classes of a week and taking a place in a session, for oneself or a child (as
palace/web/classes.py)."""

from datetime import date

import msgspec

from palace.api.bookings import Booking, booking_of
from palace.api.errors import text
from palace.api.operations import MEMBER, Call, operation
from palace.api.shapes import Id, Instant, Name, name_of, reachable
from palace.services.booking import booking_views
from palace.services.classes import classes
from palace.services.core import clock
from palace.services.core.errors import ServiceError

TAG = "classes"


class Session(msgspec.Struct, frozen=True):
    id: int
    slot_id: int  # where its waitlist is
    title: Name  # the class
    room: Name
    instructor: str
    for_children: bool
    starts_at: Instant
    ends_at: Instant
    state: str  # open, mine, full, not_yet_open, cancelled, past
    places_left: int
    opens_at: Instant
    late: bool  # open, but inside the free-cancellation cut-off
    waiting: bool  # I (or a child of mine) stand in its line
    booking_ids: list[int]  # my places here (mine or a child's)


class Week(msgspec.Struct, frozen=True):
    first: date  # a Monday
    sessions: list[Session]
    can_go_back: bool
    can_go_on: bool
    blocked: str | None  # why I cannot take a place now, before any tap


class WeekQuery(msgspec.Struct, frozen=True):
    week: date | None = None  # any day of the week; this week (or the next) by default


class SessionBookIn(msgspec.Struct, frozen=True):
    child_id: Id | None = None  # a children's class: which of my children


def session_of(card: classes.SessionCard) -> Session:
    s = card.session
    return Session(
        id=s.id,
        slot_id=s.slot_id,
        title=name_of(s.class_type),
        room=name_of(s.room),
        instructor=s.instructor.name,
        for_children=s.class_type.for_children,
        starts_at=clock.utc(s.starts_at),
        ends_at=clock.utc(s.ends_at),
        state=card.state.value,
        places_left=card.places_left,
        opens_at=clock.utc(card.opens_at),
        late=card.late,
        waiting=card.waiting,
        booking_ids=[b.id for b in card.mine],
    )


@operation("GET", "/classes", scopes=MEMBER, tag=TAG, query=WeekQuery, response=Week)
async def week(call: Call[None, WeekQuery]) -> Week:
    """The classes of a week, Monday to Sunday, from today on."""
    if not reachable(call.query.week):
        raise ServiceError("day_invalid")
    shown = await classes.week(member_id=call.member_id, day=call.query.week)
    blocked = shown.blocked and text(call.lang, shown.blocked.code, shown.blocked.params)
    cards = [session_of(card) for _day, day_cards in shown.days for card in day_cards]
    return Week(shown.first, cards, shown.can_go_back, shown.can_go_on, blocked or None)


@operation("POST", "/classes/sessions/{session_id}/book", scopes=MEMBER, tag=TAG,
           body=SessionBookIn, response=Booking, status=201)  # fmt: skip
async def book_session(call: Call[SessionBookIn, None]) -> Booking:
    """Take a place in a class session (for a child in a children's class)."""
    made = await classes.book(member_id=call.member_id, session_id=call.path_id("session_id"),
                              child_id=call.body.child_id)  # fmt: skip
    view = await booking_views.booking_view(member_id=call.member_id, booking_id=made.id)
    return booking_of(view)


operations = [week, book_session]
