"""Checking people in at the front desk: by a booking's code, by card number, one by one.

Check-in is open from ``checkin_before_minutes`` before the start to
``checkin_after_minutes`` after it (the hall's rules; 30 and 15 by default). A second
scan is harmless; a code for another day or another hall, a cancelled booking, or a
time outside the window is a warning that checks nothing in; a forged code is refused
(BookingError "invalid_code"). Partners on a doubles court are checked in with the
booker or one by one. Checking in does not free anything: the place stays taken.
"""

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from palace.models import Booking, BookingPartner, BookingRules, BookingStatus, Member
from palace.services.accounts import accounts
from palace.services.booking import booking_names, booking_states, tickets
from palace.services.booking.booking_states import Shown
from palace.services.booking.bookings import BookingError, BookingNotFound
from palace.services.booking.partners import masked
from palace.services.core import after_commit, audit, clock
from palace.services.facilities import rules

CHECKED_IN = "checked_in"
ALREADY = "already_checked_in"
READY = "checkin_ready"
# Results after which the desk may go on checking people in on the same booking (not a
# warning such as another hall's booking).
GOES_ON = (CHECKED_IN, ALREADY, READY)
# Who may still be checked in: not in yet, the place still theirs.
EXPECTED = (Shown.DUE, Shown.LATE)


@dataclass(frozen=True)
class Attendee:
    member: Member  # for a guest: the clerk who booked them
    booker: bool
    state: Shown
    guest_name: str | None = None
    # Whether the desk may check this person in now: the rule _warning holds a check-in
    # to (confirmed, not in yet, today, inside the check-in window); one button for both
    # the Now board and a scan's result.
    can_check_in: bool = False

    @property
    def name(self) -> str:
        return self.guest_name or self.member.name

    @property
    def shown_name(self) -> str:
        """The name the desk shows: a partner's masked, as on every other surface."""
        return self.name if self.booker or self.guest_name else masked(self.name)

    @property
    def card_no(self) -> str | None:
        return None if self.guest_name else self.member.card_no


@dataclass(frozen=True)
class Result:
    """What the desk is shown after a scan: ``code`` says what happened (or why not)."""

    code: str
    booking: Booking | None = None  # with facility, resource and member loaded
    people: list[Attendee] = field(default_factory=list)
    params: dict[str, object] = field(default_factory=dict)
    name: booking_names.Named | None = None  # what the booking is for (booking_names)

    @property
    def ok(self) -> bool:
        return self.code in (CHECKED_IN, ALREADY)

    @property
    def state(self) -> Shown | None:
        """The booking as a whole, as members and staff see it."""
        return booking_states.shown(self.booking) if self.booking else None

    @property
    def today(self) -> bool:
        """Whether the people on it are expected today (their states mean something)."""
        return self.booking is not None and clock.local_day(self.booking.starts_at) == clock.today()

    @property
    def states_shown(self) -> bool:
        """Whether each person's state is shown: on the day, and whatever the day once the
        booking is cancelled or released, which holds for everyone on it."""
        if self.booking is None:
            return False
        return self.today or self.booking.status != BookingStatus.CONFIRMED


def window(facility_rules: BookingRules, starts_at: datetime) -> tuple[datetime, datetime]:
    """From when until when the desk checks people in to something starting then: the
    check-in window, stated once (the desk, walk-ins, the now board and no-shows ask it)."""
    start = clock.utc(starts_at)
    return (
        start - timedelta(minutes=facility_rules.checkin_before_minutes),
        start + timedelta(minutes=facility_rules.checkin_after_minutes),
    )


def is_open(facility_rules: BookingRules, starts_at: datetime, now: datetime) -> bool:
    """Whether check-in to something starting at ``starts_at`` is open at ``now``."""
    opens, closes = window(facility_rules, starts_at)
    return opens <= now < closes


async def _load(booking_id: int) -> Booking | None:
    return await Booking.get_or_none(id=booking_id).select_related("facility", "resource", "member")


def is_card(typed: str) -> bool:
    """A union card number rather than a booking code (codes always carry a dot)."""
    return "." not in typed and bool(accounts.CARD_RE.fullmatch(accounts.normalize_card(typed)))


async def scan(*, actor_id: int, typed: str, facility_id: int | None) -> Result:
    """What the desk's one field received: a scanned or typed code, or a card number."""
    if is_card(typed):
        return await by_card(actor_id=actor_id, card=typed, facility_id=facility_id)
    return await by_code(actor_id=actor_id, token=typed, facility_id=facility_id)


async def preview(*, token: str, facility_id: int | None) -> Result:
    """What checking in this code would do now, without doing it (a GET)."""
    booking = await _load(tickets.booking_id_from(token))
    if booking is None:
        raise BookingError("invalid_code")
    warning = await _warning(booking, facility_id, None)
    return warning or await _result(READY, booking)


async def by_code(*, actor_id: int, token: str, facility_id: int | None) -> Result:
    """Check in the booker and the partners on the booking a scanned code names."""
    booking = await _load(tickets.booking_id_from(token))
    if booking is None:
        raise BookingError("invalid_code")
    return await _check_in(actor_id, booking, facility_id, member_id=None)


async def person(
    *, actor_id: int, booking_id: int, member_id: int | None, facility_id: int | None
) -> Result:
    """Check in one person on a booking (the booker or a partner), or everyone (None)."""
    booking = await _load(booking_id)
    if booking is None:
        raise BookingNotFound("unknown_booking")
    named = member_id is None or member_id == booking.member_id
    if not named and not await BookingPartner.exists(booking_id=booking_id, member_id=member_id):
        raise BookingNotFound("unknown_booking")
    return await _check_in(actor_id, booking, facility_id, member_id=member_id)


async def by_card(*, actor_id: int, card: str, facility_id: int | None) -> Result:
    """Check in the card's holder to their booking (or the one naming them) due now."""
    card_no = accounts.normalize_card(card)
    member = (
        await Member.get_or_none(card_no=card_no) if accounts.CARD_RE.fullmatch(card_no) else None
    )
    if member is None:
        return Result("unknown_card", params={"card": card_no[:20]})
    booking = await _due_for(member, facility_id)
    if booking is None:
        return Result("nothing_due", params={"name": member.name, "card": member.card_no})
    return await _check_in(actor_id, booking, facility_id, member_id=member.id)


async def _due_for(member: Member, facility_id: int | None) -> Booking | None:
    """The member's booking whose check-in is open now, the one not yet attended first."""
    now = clock.now()
    day_from, day_to = clock.day_bounds(clock.today())
    found = (
        await Booking.filter(
            booking_states.visible_to(member.id),
            status=BookingStatus.CONFIRMED,
            starts_at__gte=day_from,
            starts_at__lt=day_to,
        )
        .select_related("facility", "resource", "member")
        .order_by("starts_at", "id")
    )
    if facility_id is not None:
        found = [b for b in found if b.facility_id == facility_id]
    open_now = []
    for booking in found:
        if is_open(await rules.rules_for(booking.facility), booking.starts_at, now):
            open_now.append(booking)
    pending = [b for b in open_now if not await _attended(b, member.id)]
    first = pending or open_now
    return first[0] if first else None


async def _attended(booking: Booking, member_id: int) -> bool:
    if booking.member_id == member_id:
        return booking.checked_in_at is not None
    return await BookingPartner.exists(
        booking_id=booking.id, member_id=member_id, checked_in_at__isnull=False
    )


async def _check_in(
    actor_id: int, booking: Booking, facility_id: int | None, *, member_id: int | None
) -> Result:
    warning = await _warning(booking, facility_id, member_id)
    if warning is not None:
        return warning
    async with after_commit.transaction():
        # The row lock orders us against the no-show job (which locks it too).
        locked = await Booking.filter(id=booking.id).select_for_update().get()
        if locked.status != BookingStatus.CONFIRMED:
            return await _result(_status_code(locked), locked)
        done = await _mark(locked, member_id)
        if done:
            await audit.record(
                actor_id=actor_id,
                entity="booking",
                entity_id=booking.id,
                action="check_in",
                from_state=BookingStatus.CONFIRMED,
                to_state=Shown.CHECKED_IN,
                detail={"members": done},
            )
    return await _result(CHECKED_IN if done else ALREADY, booking)


async def _mark(booking: Booking, member_id: int | None) -> list[int]:
    """Set the check-in time of who is asked for (everyone: None); returns who was new."""
    now = clock.now()
    done: list[int] = []
    if member_id in (None, booking.member_id) and await Booking.filter(
        id=booking.id, checked_in_at__isnull=True
    ).update(checked_in_at=now):
        done.append(booking.member_id)
    partners = BookingPartner.filter(booking_id=booking.id, checked_in_at__isnull=True)
    if member_id is not None:
        partners = partners.filter(member_id=member_id)
    for row in await partners:
        if await BookingPartner.filter(id=row.id, checked_in_at__isnull=True).update(
            checked_in_at=now
        ):
            done.append(row.member_id)
    return done


async def _all_in(booking: Booking, member_id: int | None) -> bool:
    """Whether everyone asked for (one person, or everyone: None) is checked in already."""
    if member_id is not None:
        return await _attended(booking, member_id)
    waiting = BookingPartner.filter(booking_id=booking.id, checked_in_at__isnull=True)
    return booking.checked_in_at is not None and not await waiting.exists()


def _status_code(booking: Booking) -> str:
    return "booking_no_show" if booking.status == BookingStatus.NO_SHOW else "booking_cancelled"


async def _warning(
    booking: Booking, facility_id: int | None, member_id: int | None
) -> Result | None:
    """Why nothing may be checked in on this booking now, or None when it may."""
    if booking.status != BookingStatus.CONFIRMED:
        return await _result(_status_code(booking), booking)
    if facility_id is not None and booking.facility_id != facility_id:
        return await _result("wrong_hall", booking)
    if await _all_in(booking, member_id):
        return await _result(ALREADY, booking)  # a second scan, even a late one, is harmless
    if clock.local_day(booking.starts_at) != clock.today():
        return await _result("wrong_day", booking, day=clock.local_day(booking.starts_at))
    opens, closes = window(await rules.rules_for(booking.facility), booking.starts_at)
    now = clock.now()
    if now < opens:
        return await _result("checkin_not_open", booking, opens_at=opens)
    if now >= closes:
        return await _result("checkin_closed", booking, closes_at=closes)
    return None


async def result_for(code: str, booking_id: int) -> Result:
    """A result for a booking that was just made or changed elsewhere (a walk-in)."""
    booking = await _load(booking_id)
    if booking is None:
        raise BookingError("unknown_booking")
    return await _result(code, booking)


async def _result(code: str, booking: Booking, **params: object) -> Result:
    fresh = await _load(booking.id)
    assert fresh is not None
    named = await booking_names.names_of([fresh])
    people = await attendees(fresh)
    if code not in GOES_ON:
        people = [replace(p, can_check_in=False) for p in people]
    return Result(code, fresh, people, params, named[fresh.id])


async def attendees(booking: Booking) -> list[Attendee]:
    """The booker and the partners, each as the desk sees them now."""
    facility_rules = await rules.rules_for(booking.facility)
    rows = (
        await BookingPartner.filter(booking_id=booking.id).select_related("member").order_by("id")
    )
    return people_on(booking, rows, facility_rules, clock.now())


def open_now(facility_rules: BookingRules, starts_at: datetime, now: datetime) -> bool:
    """Whether the desk checks people in now to something starting then: on its day
    (as _warning holds it) and inside the hall's check-in window."""
    same_day = clock.local_day(starts_at) == clock.local_day(now)
    return same_day and is_open(facility_rules, starts_at, now)


def people_on(
    booking: Booking, partners: list[BookingPartner], facility_rules: BookingRules, now: datetime
) -> list[Attendee]:
    """The booker (``member`` loaded) and ``partners`` (``member`` loaded), as at the desk."""
    closes = window(facility_rules, booking.starts_at)[1]
    window_open = open_now(facility_rules, booking.starts_at, now)

    def person(member: Member, booker: bool, checked_in_at: datetime | None) -> Attendee:
        state = booking_states.at_desk(
            status=booking.status,
            starts_at=booking.starts_at,
            checked_in_at=checked_in_at,
            closes_at=closes,
            now=now,
        )
        guest = booking.guest_name if booker else None
        return Attendee(member, booker, state, guest, window_open and state in EXPECTED)

    people = [person(booking.member, True, booking.checked_in_at)]
    return people + [person(row.member, False, row.checked_in_at) for row in partners]
