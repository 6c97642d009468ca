"""Walk-ins: the desk books a free court, gym place or class place that is on now for
someone standing at the desk, through the booking core and every rule it keeps.

The person is there, so the place is checked in as it is booked (one transaction):
a walk-in is never a no-show. A member is found by card number; where the hall allows
guests, a named guest who is not a member is booked instead (held by the clerk; see
``bookings.take``).
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from palace.models import (
    Booking,
    BookingSource,
    ClassSession,
    Member,
    MemberStatus,
    SessionStatus,
    Slot,
    SlotKind,
)
from palace.services.accounts import accounts
from palace.services.booking import bookings, slots
from palace.services.booking.bookings import BookingError
from palace.services.core import after_commit, audit, clock
from palace.services.desk import checkin


async def walk_in(
    *,
    actor_id: int,
    slot_id: int | None = None,
    resource_id: int | None = None,
    starts_at: datetime | None = None,
    card: str = "",
    guest_name: str = "",
) -> checkin.Result:
    """Book and check in a walk-in: a class session by ``slot_id``, or a court or gym
    hour by ``resource_id`` and ``starts_at``; for the member with ``card``, or a guest."""
    slot = await _slot(slot_id, resource_id, starts_at)
    await _check_now(slot)
    guest = guest_name.strip() or None
    member_id = actor_id if guest else (await _member(card)).id
    async with after_commit.transaction():
        booking = await bookings.take(
            member_id=member_id,
            slot_id=slot.id,
            actor_id=actor_id,
            source=BookingSource.DESK,
            guest_name=guest,
        )
        now = clock.now()
        await Booking.filter(id=booking.id).update(checked_in_at=now)
        await audit.record(
            actor_id=actor_id,
            entity="booking",
            entity_id=booking.id,
            action="check_in",
            from_state="confirmed",
            to_state="checked_in",
            detail={"members": [] if guest else [member_id], "walk_in": True},
        )
    return await checkin.result_for("walked_in", booking.id)


@dataclass(frozen=True)
class Place:
    """A walk-in place as a form names it: a class session, or a timetable time."""

    slot_id: int | None = None
    resource_id: int | None = None
    starts_at: datetime | None = None


MAX_ID = 2**31 - 1  # what an id column holds (as palace.web.params.parse_id)
LATEST_START = int(datetime(2100, 1, 1, tzinfo=UTC).timestamp())  # no timetable goes further


def parse_place(raw: str) -> Place | None:
    """ "s:<slot id>" or "g:<resource id>:<start, epoch seconds>"; None for anything else."""
    parts = raw.split(":")
    if not all(p.isascii() and p.isdigit() and len(p) <= 12 for p in parts[1:]):
        return None
    numbers = [int(p) for p in parts[1:]]
    if parts[0] == "s" and len(numbers) == 1 and numbers[0] <= MAX_ID:
        return Place(slot_id=numbers[0])
    if parts[0] == "g" and len(numbers) == 2 and numbers[0] <= MAX_ID:
        if numbers[1] > LATEST_START:
            return None
        try:
            start = datetime.fromtimestamp(numbers[1], UTC)
        except (ValueError, OverflowError, OSError):
            return None
        return Place(resource_id=numbers[0], starts_at=start)
    return None


@dataclass(frozen=True)
class PlaceView:
    terms: slots.Terms
    free: int


async def describe(place: Place) -> PlaceView:
    """The place a walk-in form is about, as it is now."""
    slot = await _slot(place.slot_id, place.resource_id, place.starts_at)
    terms = await slots.terms(slot.id)
    return PlaceView(terms, slots.places_left(slot))


async def _slot(slot_id: int | None, resource_id: int | None, starts_at: datetime | None) -> Slot:
    try:
        if slot_id is not None:
            found = await Slot.get_or_none(id=slot_id, kind=SlotKind.SESSION)
            if found is None:
                raise BookingError("unknown_slot")
            return found
        if resource_id is None or starts_at is None:
            raise BookingError("unknown_slot")
        return await slots.grid_slot(resource_id=resource_id, starts_at=starts_at)
    except slots.SlotError as error:
        raise BookingError(error.code) from None


async def _check_now(slot: Slot) -> None:
    """A walk-in is for what is on now: from when check-in opens until the slot ends;
    in a class that goes on, and is for adults (a child's place is the parent's to book)."""
    lesson = await ClassSession.get_or_none(slot_id=slot.id).select_related("class_type")
    if lesson is not None and lesson.status != SessionStatus.SCHEDULED:
        raise BookingError("session_cancelled")
    if lesson is not None and lesson.class_type.for_children:
        raise BookingError("walk_in_child_class")
    terms = await slots.terms(slot.id)
    opens = checkin.window(terms.rules, terms.starts_at)[0]
    if not opens <= clock.now() < terms.ends_at:
        raise BookingError("walk_in_not_now")


async def _member(card: str) -> Member:
    card_no = accounts.normalize_card(card)
    if not accounts.CARD_RE.fullmatch(card_no):
        raise BookingError("walk_in_card_missing")
    member = await Member.get_or_none(card_no=card_no)
    if member is None or member.status == MemberStatus.DISABLED:
        raise BookingError("unknown_card", card=card_no)
    return member
