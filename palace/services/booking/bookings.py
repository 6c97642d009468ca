"""The booking core: every way of getting a place (freeing one is in ``releases``).

Every place — a court on the timetable, a class session, a waitlist promotion or an
accepted offer, a desk walk-in, a ballot draw — resolves to a slot id and is taken
by ``take``. It alone locks the member, checks closures and quotas, runs the
conditional UPDATE that enforces capacity (``taken = taken + 1 WHERE taken <
capacity``, in the transaction that writes the booking), keeps one live place per
member (or child) and slot, refuses a place that overlaps another booking of the same
person (the clash rule, ``clash``), and writes the audit event. Every place is freed by
``releases.release``.

Quotas are checked under a lock on the member's row, so one member's parallel
clicks are serialised; different members never wait for each other.
"""

import dataclasses
from dataclasses import dataclass
from datetime import datetime

from tortoise.exceptions import IntegrityError

from palace import metrics
from palace.models import (
    Booking,
    BookingSource,
    BookingStatus,
    Child,
    Member,
    SlotKind,
)
from palace.services.accounts import account_status
from palace.services.booking import booking_sql, slots
from palace.services.booking.slots import Terms
from palace.services.core import after_commit, audit, clock
from palace.services.core.errors import NotFound, ServiceError
from palace.services.facilities import rules
from palace.services.messages import notifications


class BookingError(ServiceError):
    pass


class BookingNotFound(BookingError, NotFound):
    """No such booking (or session) that the asker may see."""


@dataclass(frozen=True)
class Taken:
    """A place just taken, with what the core learnt deciding it."""

    booking: Booking
    terms: Terms
    quota: rules.Quota  # the person's quota, this booking counted
    places_left: int


class PlaceGone(BookingError):
    """The conditional UPDATE found no place left (code "slot_taken")."""


class SlotGone(BookingError):
    """Refused before anything was locked: the place is gone (or already the member's)."""

    def __init__(self, code: str, facts: slots.GridFacts) -> None:
        super().__init__(code)
        self.facts = facts


async def book(*, member_id: int, resource_id: int, starts_at: datetime) -> Booking:
    """A member taps a free cell of a hall's timetable."""
    taken = await book_cell(member_id=member_id, resource_id=resource_id, starts_at=starts_at)
    return taken.booking


@metrics.booking_outcomes("take", source=BookingSource.MEMBER.value)
async def book_cell(*, member_id: int, resource_id: int, starts_at: datetime) -> Taken:
    """``book``, answering with what the booking learnt (the cell and quota need no
    second look). In a rush most requests are for a place already gone: SlotGone says
    so before the slot row or any lock is touched. Only a shortcut; the conditional
    UPDATE in ``take`` is what enforces capacity."""
    try:
        facts = await _grid_facts(member_id, resource_id, starts_at)
        if facts.full:
            raise SlotGone("already_booked" if facts.own else "slot_taken", facts)
        slot = await slots.grid_slot_of(facts)
    except slots.SlotError as error:
        raise BookingError(error.code, **error.params) from None
    slot.resource = facts.place.resource
    terms = await slots.terms_of(slot)
    try:
        return await _take(terms, member_id, member_id, BookingSource.MEMBER, None, None)
    except PlaceGone:
        # Passed every check, then lost the last place to someone else; the rollback
        # left the member's quota as it was, so nothing else needs a second look.
        raise SlotGone("slot_taken", facts.taken_up(slot)) from None


async def _grid_facts(member_id: int, resource_id: int, starts_at: datetime) -> slots.GridFacts:
    """The grid slot's facts, its row made on first use."""
    place = await slots.grid_place(resource_id=resource_id, starts_at=starts_at)
    facts = await slots.grid_facts(member_id=member_id, place=place)
    if facts.slot is not None:
        return facts
    made = await slots.make_grid_row(place)
    if made is None:
        # Another request made the row first: read it as it is now.
        return await slots.grid_facts(member_id=member_id, place=place)
    return dataclasses.replace(facts, slot=made)


@metrics.booking_outcomes("take")
async def take(
    *,
    member_id: int,
    slot_id: int,
    actor_id: int | None,
    source: BookingSource,
    child_id: int | None = None,
    guest_name: str | None = None,
) -> Booking:
    """Take one place in a slot for a member (or one of their children); the one way in.

    ``actor_id`` is who acted (the member, a desk clerk; None for a worker), ``source``
    how. A ``guest_name`` books a named guest at the desk where the hall allows guests;
    ``member_id`` is then the clerk, who holds the booking. Raises BookingError with a
    code saying which rule refused.
    """
    try:
        terms = await slots.terms(slot_id)
    except slots.SlotError as error:
        raise BookingError(error.code) from None
    taken = await _take(terms, member_id, actor_id, source, child_id, guest_name)
    return taken.booking


async def _take(
    terms: Terms,
    member_id: int,
    actor_id: int | None,
    source: BookingSource,
    child_id: int | None,
    guest_name: str | None,
) -> Taken:
    _check_time(terms, source)
    guest = _guest(terms, source, guest_name)
    async with after_commit.transaction():
        facts = await _check(member_id, child_id, terms, person=guest is None)
        left = await _take_place(terms.slot.id, source)
        if left is None:
            raise PlaceGone("slot_taken")
        booking = await _insert(member_id, child_id, terms, source, guest)
        await _block_room(terms, booking)
        await audit.record(
            actor_id=actor_id,
            entity="booking",
            entity_id=booking.id,
            action="book",
            to_state=BookingStatus.CONFIRMED,
            detail=_book_detail(terms, source, child_id, guest),
        )
        if source in (BookingSource.MEMBER, BookingSource.DESK) and guest is None:
            seen = source == BookingSource.MEMBER
            await _notify_booked(booking, terms, seen=seen, wanted=facts.wanted)
    return Taken(booking, terms, facts.quota.plus(_minutes(terms)), left)


async def check_may_take(
    *, member_id: int, slot_id: int, source: BookingSource, child_id: int | None = None
) -> Terms:
    """Every rule ``take`` applies except capacity, without taking: before an offer is made.

    Call inside a transaction (it locks the member's row, as ``take`` does).
    """
    try:
        terms = await slots.terms(slot_id)
    except slots.SlotError as error:
        raise BookingError(error.code) from None
    _check_time(terms, source)
    await _check(member_id, child_id, terms, person=True)
    return terms


@dataclass(frozen=True)
class _Facts:
    """What the core checked about a place and a person, under the member's lock."""

    quota: rules.Quota
    wanted: bool  # the member wants "booked" messages outside the app too


def _minutes(terms: Terms) -> int:
    return rules.minutes_of(terms.starts_at, terms.ends_at)


async def _check(member_id: int, child_id: int | None, terms: Terms, *, person: bool) -> _Facts:
    """The member may book, the place is not closed; for a person (not a guest) one live
    place per slot and the quotas. Locks the member's row first (serialising their
    requests), so what follows sees their other bookings."""
    await _check_member(member_id, child_id)
    day_from, day_to = clock.day_bounds(clock.local_day(terms.starts_at))
    found = await booking_sql.first(
        booking_sql.person_facts(child=child_id is not None),
        member=member_id,
        **({"child": child_id} if child_id is not None else {}),
        slot=terms.slot.id,
        facility=terms.facility.id,
        resource=terms.resource.id,
        kind=terms.slot.kind.value,
        starts_at=terms.starts_at,
        ends_at=terms.ends_at,
        now=clock.now(),
        day_from=day_from,
        day_to=day_to,
    )
    assert found is not None  # a SELECT without FROM has one row
    if found["closed"]:
        raise BookingError("slot_closed")
    rules_ = terms.rules
    quota = rules.Quota(int(found["active"]), rules_.max_active, int(found["minutes"]),
                        rules_.max_minutes_per_day)  # fmt: skip
    if person:
        if found["live"]:
            raise BookingError("already_booked")
        if found["clash"] is not None:
            raise await clash_error(int(found["clash"]))
        if refused := quota.refusal(_minutes(terms)):
            raise BookingError(refused.code, **refused.params)
    return _Facts(quota, bool(found["wanted"]))


# The clash rule, stated once: one person (the member, or one child) holds no two
# bookings that overlap. ``take`` applies it to every way in (the timetable, a class, a
# walk-in, a promotion or an accepted offer); joining a line applies it too, so nobody
# waits for a place they could never be given.


async def clash(
    *, member_id: int, child_id: int | None, slot_id: int, starts_at: datetime, ends_at: datetime
) -> BookingError | None:
    """Why this person may not have the slot at this time, or None: a confirmed booking
    of theirs elsewhere overlaps it."""
    found = await booking_sql.first(
        booking_sql.clash(child=child_id is not None),
        member=member_id,
        **({"child": child_id} if child_id is not None else {}),
        slot=slot_id,
        starts_at=starts_at,
        ends_at=ends_at,
    )
    return None if found is None else await clash_error(int(found["id"]))


async def clash_error(booking_id: int) -> BookingError:
    """The refusal, saying when the booking in the way starts."""
    other = await Booking.get(id=booking_id)
    return BookingError("booking_clash", at=clock.utc(other.starts_at))


async def _take_place(slot_id: int, source: BookingSource) -> int | None:
    """The conditional UPDATE that enforces capacity; the places left, or None when full.

    Places held for the waitlist count as taken for everyone else; a waitlist
    promotion takes one of those held places first.
    """
    if source == BookingSource.WAITLIST:
        held = await booking_sql.first(booking_sql.TAKE_HELD_PLACE, slot=slot_id)
        if held is not None:
            return int(held["places_left"])
    took = await booking_sql.first(booking_sql.TAKE_PLACE, slot=slot_id)
    return None if took is None else int(took["places_left"])


async def _notify_booked(booking: Booking, terms: Terms, *, seen: bool, wanted: bool) -> None:
    """A confirmation, for the inbox and for members who want it outside the app; the
    member's own tap needs no unread badge."""
    await notifications.notify(
        member_id=booking.member_id,
        kind="booked",
        booking_id=booking.id,
        detail=notifications.slot_detail(terms),
        seen=seen,
        wanted=wanted,
    )


GUEST_NAME_MAX = 40


def _guest(terms: Terms, source: BookingSource, guest_name: str | None) -> str | None:
    """A guest's name as it will be kept, where the desk may book guests at all."""
    if guest_name is None:
        return None
    if source != BookingSource.DESK or not terms.rules.guests_allowed:
        raise BookingError("guests_not_allowed")
    name = " ".join(guest_name.split())
    if not name or len(name) > GUEST_NAME_MAX or not name.isprintable():
        raise BookingError("guest_name_invalid", max=GUEST_NAME_MAX)
    return name


def _check_time(terms: Terms, source: BookingSource) -> None:
    now = clock.now()
    # The desk books a walk-in into what is going on now; everyone else books ahead.
    started = terms.ends_at <= now if source == BookingSource.DESK else terms.starts_at <= now
    if started:
        raise BookingError("slot_past")
    # Waitlists, ballots and opening queues were entered while the window was open;
    # first-come waits for the day's opening queue (services/fairness/queue_gate).
    if source in (BookingSource.MEMBER, BookingSource.DESK):
        if now < terms.opens_at:
            raise BookingError("not_yet_open", opens_at=terms.opens_at)
        if (gate := terms.queued) is not None:
            raise BookingError(gate.code, first_come_at=gate.first_come_at)
    # A balloted court is its draw's alone until the leftovers are released.
    if (held := terms.balloted) is not None and source != BookingSource.BALLOT:
        raise BookingError("slot_balloted", ballot_id=held.ballot_id, release_at=held.release_at)


def member_refusal(member: Member) -> BookingError | None:
    """Why the member may not book at all right now, or None (the timetable says it first)."""
    if not account_status.may_book(member):
        # Disabled, or suspended by an administrator (an end date they set has not come).
        return BookingError("member_suspended")
    until = member.booking_suspended_until
    if until is not None and clock.utc(until) > clock.now():
        # No-shows (services/desk/strikes): the member is told until when.
        return BookingError("booking_suspended", until=clock.utc(until))
    return None


async def _check_member(member_id: int, child_id: int | None) -> None:
    """Lock the member's row (serialising their requests) and check they may book."""
    found = await booking_sql.first(booking_sql.lock_member(), member=member_id)
    if found is None:
        raise BookingError("unknown_member")
    member = Member._init_from_db(**found)
    if refusal := member_refusal(member):
        raise refusal
    if child_id is not None and not await Child.exists(
        id=child_id, parent_id=member_id, active=True
    ):
        raise BookingError("unknown_child")


async def _insert(
    member_id: int, child_id: int | None, terms: Terms, source: BookingSource, guest: str | None
) -> Booking:
    slot = terms.slot
    # A child's place is unique per child, a member's per member; a guest's is neither.
    person_slot = None if guest is not None else slot.id
    try:
        return await Booking.create(
            slot_id=slot.id,
            member_id=member_id,
            child_id=child_id,
            facility_id=terms.facility.id,
            resource_id=terms.resource.id,
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            source=source,
            live_slot=person_slot if child_id is None else None,
            live_child_slot=person_slot if child_id is not None else None,
            guest_name=guest,
        )
    except IntegrityError:
        # The member's other request got there first; this transaction rolls back.
        raise BookingError("already_booked") from None


async def _block_room(terms: Terms, booking: Booking) -> None:
    """A room booked on the timetable is held, so no class can be planned over it."""
    if not terms.resource.hosts_classes or terms.slot.kind != SlotKind.GRID:
        return
    try:
        await slots.block_room(
            resource_id=terms.resource.id,
            starts_at=terms.starts_at,
            ends_at=terms.ends_at,
            booking_id=booking.id,
        )
    except slots.SlotError as error:
        raise BookingError(error.code) from None


def _book_detail(
    terms: Terms, source: BookingSource, child_id: int | None, guest: str | None
) -> dict[str, object]:
    detail: dict[str, object] = {
        "slot_id": terms.slot.id,
        "resource_id": terms.resource.id,
        "starts_at": terms.starts_at.isoformat(),
        "source": source.value,
    }
    if child_id is not None:
        detail["child_id"] = child_id
    if guest is not None:
        detail["guest_name"] = guest
    return detail
