"""Classes as members see them: the week's sessions with places left, and taking a place.

Taking a place is a thin caller of the booking core: the session resolves to its slot
and ``bookings.take`` does the rest (member lock, closures, quotas per person, the
conditional UPDATE, the audit event), exactly as for a court.
"""

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import StrEnum

from tortoise.expressions import Q

from palace.models import (
    Booking,
    BookingSource,
    BookingStatus,
    Child,
    ClassSession,
    Member,
    SessionStatus,
    WaitlistEntry,
)
from palace.models.waitlists import LIVE
from palace.services.booking import booking_names, bookings, slots
from palace.services.booking.bookings import BookingError, BookingNotFound
from palace.services.core import clock
from palace.services.core.errors import ServiceError

WEEKS_AHEAD = 8


class SessionState(StrEnum):
    OPEN = "open"
    MINE = "mine"  # the member (or, in a children's class, every child of theirs) holds a place
    FULL = "full"
    NOT_YET_OPEN = "not_yet_open"
    CANCELLED = "cancelled"
    PAST = "past"


@dataclass(frozen=True)
class SessionCard:
    session: ClassSession  # with class_type, instructor, room and slot
    state: SessionState
    places_left: int
    opens_at: datetime
    mine: list[Booking]  # the member's confirmed places here (their own or a child's)
    late: bool = False  # open, but inside the free-cancellation cut-off: ask before booking
    waiting: bool = False  # the member (or a child of theirs) stands in this session's line
    # A children's class: the member's children without a place here yet, one place each.
    others: list[Child] = field(default_factory=list)

    def title(self, lang: str, booking: Booking | None = None) -> str:
        """The class's name, with the child a place of the member's was taken for."""
        child = booking.child if booking is not None else None
        return booking_names.place_name(lang, class_type=self.session.class_type, child=child)


@dataclass(frozen=True)
class Week:
    first: date  # a Monday
    days: list[tuple[date, list[SessionCard]]]
    children: list[Child]
    can_go_back: bool
    can_go_on: bool
    # Why the member cannot take a place now (a suspension): said before a tap.
    blocked: ServiceError | None = None

    @property
    def previous(self) -> date:
        return self.first - timedelta(weeks=1)

    @property
    def next(self) -> date:
        return self.first + timedelta(weeks=1)


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


async def week(*, member_id: int, day: date | None = None) -> Week:
    """The week holding ``day``, Monday to Sunday, from today on.

    Without a day: this week, or the next once this week has no class left.
    """
    this_week = monday(clock.today())
    last_week = this_week + timedelta(weeks=WEEKS_AHEAD)
    first = monday(day) if day else await first_week()
    if not this_week <= first <= last_week:
        raise ServiceError("week_out_of_range", first=this_week, last=last_week)
    return await _week(member_id, first)


async def first_week() -> date:
    """The Monday of the week the timetable opens on (members' and the planner's alike):
    this week, or the next once this week has no class left from today on."""
    this_week = monday(clock.today())
    start, _ = clock.day_bounds(clock.today())
    _, end = clock.day_bounds(this_week + timedelta(days=6))
    left = await ClassSession.exists(starts_at__gte=start, starts_at__lt=end)
    return this_week if left else this_week + timedelta(weeks=1)


async def _week(member_id: int, first: date) -> Week:
    this_week = monday(clock.today())
    days = [d for d in (first + timedelta(days=n) for n in range(7)) if d >= clock.today()]
    start, _ = clock.day_bounds(days[0])
    _, end = clock.day_bounds(first + timedelta(days=6))
    sessions = await _sessions(Q(starts_at__gte=start, starts_at__lt=end))
    children = await children_of(member_id)
    cards = await _cards(member_id, sessions, children)
    by_day = [(d, [c for c in cards if clock.local_day(c.session.starts_at) == d]) for d in days]
    last_week = this_week + timedelta(weeks=WEEKS_AHEAD)
    blocked = await blocked_for(member_id)
    return Week(first, by_day, children, first > this_week, first < last_week, blocked)


# Refusals about the member, not the session: they hold for every tap on a class.
MEMBER_REFUSALS = {"member_suspended", "booking_suspended", "over_quota_active", "over_quota_hours"}


def blocks_every_tap(error: ServiceError | None, *, child_id: int | None) -> bool:
    """Whether a refused tap means no Book button should invite the next one (a child's
    own quota does not: another child may still be booked)."""
    return error is not None and error.code in MEMBER_REFUSALS and child_id is None


async def blocked_for(member_id: int) -> ServiceError | None:
    """The refusal any tap on a class would get: the booking core's own rule."""
    return bookings.member_refusal(await Member.get(id=member_id))


async def _sessions(where: Q) -> list[ClassSession]:
    return (
        await ClassSession.filter(where)
        .select_related("class_type", "instructor", "room", "slot")
        .order_by("starts_at", "id")
    )


async def _cards(
    member_id: int, sessions: list[ClassSession], children: list[Child]
) -> list[SessionCard]:
    slot_ids = [s.slot_id for s in sessions]
    mine = await Booking.filter(
        member_id=member_id, slot_id__in=slot_ids, status=BookingStatus.CONFIRMED
    ).select_related("child")
    lines = WaitlistEntry.filter(member_id=member_id, slot_id__in=slot_ids, status__in=LIVE)
    in_line = {entry.slot_id for entry in await lines.only("id", "slot_id")}
    cards = []
    for session in sessions:
        held = [b for b in mine if b.slot_id == session.slot_id]
        booked = {b.child_id for b in held}
        others = [c for c in children if c.id not in booked]
        others = others if session.class_type.for_children else []
        opens_at, late_from = await _window(session)
        card = _card(session, opens_at, late_from, held, others)
        cards.append(replace(card, waiting=session.slot_id in in_line))
    return cards


async def _window(session: ClassSession) -> tuple[datetime, datetime]:
    """When booking opens and when cancelling starts to count as late.

    Sessions carry their schedule's window and cut-off; one made without them follows
    the hall's rules.
    """
    slot = session.slot
    if slot.opens_at is not None and slot.cancel_cutoff_minutes is not None:
        cutoff = timedelta(minutes=slot.cancel_cutoff_minutes)
        return clock.utc(slot.opens_at), clock.utc(slot.starts_at) - cutoff
    terms = await slots.terms(session.slot_id)
    return terms.opens_at, terms.late_from


def _card(
    session: ClassSession,
    opens_at: datetime,
    late_from: datetime,
    held: list[Booking],
    others: list[Child],
) -> SessionCard:
    left = slots.places_left(session.slot)  # places held for the waitlist are the line's
    now = clock.now()
    if session.status == SessionStatus.CANCELLED:
        state = SessionState.CANCELLED
    elif held and not others:
        state = SessionState.MINE
    elif clock.utc(session.starts_at) <= now:
        state = SessionState.PAST
    elif now < opens_at:
        state = SessionState.NOT_YET_OPEN
    elif left <= 0:
        state = SessionState.FULL
    else:
        state = SessionState.OPEN
    late = state == SessionState.OPEN and late_from <= now
    return SessionCard(session, state, left, opens_at, held, late, others=others)


async def card(*, member_id: int, session_id: int) -> SessionCard:
    """One session fresh from the database: what the member sees after a tap."""
    found = await _sessions(Q(id=session_id))
    if not found:
        raise BookingNotFound("unknown_session")
    return (await _cards(member_id, found, await children_of(member_id)))[0]


async def book(*, member_id: int, session_id: int, child_id: int | None = None) -> Booking:
    """The member takes a place in a session, for themselves or (children's classes) a child."""
    session = await ClassSession.get_or_none(id=session_id).select_related("class_type")
    if session is None:
        raise BookingNotFound("unknown_session")
    if session.status != SessionStatus.SCHEDULED:
        raise BookingError("session_cancelled")
    if session.class_type.for_children and child_id is None:
        raise BookingError("child_required")
    if not session.class_type.for_children and child_id is not None:
        raise BookingError("not_for_children")
    try:
        return await bookings.take(
            member_id=member_id,
            slot_id=session.slot_id,
            actor_id=member_id,
            source=BookingSource.MEMBER,
            child_id=child_id,
        )
    except BookingError as error:
        # A session cancelled while we looked has no places left: say what happened.
        if error.code == "slot_taken" and await ClassSession.exists(
            id=session_id, status=SessionStatus.CANCELLED
        ):
            raise BookingError("session_cancelled") from None
        raise


async def children_of(member_id: int) -> list[Child]:
    return await Child.filter(parent_id=member_id, active=True)


async def session_of_slot(slot_id: int) -> ClassSession | None:
    """The class session behind a slot, if it is one (waitlists, the desk, bookings)."""
    return await ClassSession.get_or_none(slot_id=slot_id)
