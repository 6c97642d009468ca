"""Slot rows and what decides how a slot may be booked, and rooms held by the quarter hour.

A slot is whatever a place is taken in: a court or gym hour on a hall's timetable
(a *grid* slot, made on first use) or a class session (made when its schedule is
generated). Every way of getting a place resolves to a slot id and calls
``bookings.take``; this module does the resolving for the grid and says, for any
slot, which rules apply (``terms``).
"""

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from tortoise.exceptions import IntegrityError

from palace.models import (
    BookingRules,
    Facility,
    OpeningHours,
    Resource,
    RoomBlock,
    Slot,
    SlotKind,
)
from palace.services.booking import booking_sql
from palace.services.core import clock
from palace.services.core.errors import ServiceError
from palace.services.facilities import rules, setup_cache
from palace.services.fairness import ballot_holds, queue_gate

BLOCK_LENGTH = timedelta(minutes=15)


class SlotError(ServiceError):
    pass


def places_left(slot: Slot) -> int:
    """Places anyone outside the waitlist may still take: held ones are the line's."""
    return max(slot.capacity - slot.taken - slot.held, 0)


@dataclass(frozen=True)
class Terms:
    """One slot with everything the booking core needs to decide on it."""

    slot: Slot
    resource: Resource
    facility: Facility
    rules: BookingRules  # quotas and, for grid slots, the window and cut-off
    opens_at: datetime  # when members may start booking it
    late_from: datetime  # a cancellation after this is a late cancel
    balloted: ballot_holds.Held | None = None  # the ballot whose draw alone gives it now
    queued: queue_gate.Gate | None = None  # its day's opening queue, not served yet

    @property
    def starts_at(self) -> datetime:
        return clock.utc(self.slot.starts_at)

    @property
    def ends_at(self) -> datetime:
        return clock.utc(self.slot.ends_at)


async def terms(slot_id: int) -> Terms:
    """The slot and its rules; SlotError("unknown_slot") when there is no such slot."""
    slot = await Slot.get_or_none(id=slot_id)
    if slot is None:
        raise SlotError("unknown_slot")
    resource = await setup_cache.resource(slot.resource_id)
    if resource is None:
        raise SlotError("unknown_slot")
    slot.resource = resource  # the cached resource, its facility with it
    return await terms_of(slot)


async def terms_of(slot: Slot) -> Terms:
    """Terms of a slot read with ``resource__facility``."""
    resource = slot.resource
    facility = resource.facility
    facility_rules = await rules.rules_for(facility)
    starts_at = clock.utc(slot.starts_at)
    opens_at = slot.opens_at or rules.booking_opens_at(facility_rules, clock.local_day(starts_at))
    held = queued = None
    if slot.kind == SlotKind.GRID:
        held = await ballot_holds.holding(
            facility_id=facility.id, resource_id=resource.id, starts_at=starts_at
        )
        queued = await queue_gate.gate(
            facility_id=facility.id, facility_rules=facility_rules, day=clock.local_day(starts_at)
        )
    return Terms(
        slot=slot,
        resource=resource,
        facility=facility,
        rules=facility_rules,
        opens_at=clock.utc(opens_at),
        late_from=late_from(slot, facility_rules),
        balloted=held,
        queued=queued,
    )


def late_from(slot: Slot, facility_rules: BookingRules) -> datetime:
    """When cancelling starts to count as late: the session's own cut-off, or the hall's."""
    cutoff = slot.cancel_cutoff_minutes
    if cutoff is None:
        cutoff = facility_rules.cancel_cutoff_minutes
    return clock.utc(slot.starts_at) - timedelta(minutes=cutoff)


# The court grid: a time on a hall's timetable, as a slot row.


async def grid_slot(*, resource_id: int, starts_at: datetime) -> Slot:
    """The grid slot of a bookable resource starting then, made on first use.

    SlotError("unknown_slot") when the resource is not bookable on the grid or no
    slot of its timetable starts then.
    """
    place = await grid_place(resource_id=resource_id, starts_at=starts_at)
    return await _grid_row(place.resource, place.starts_at, place.ends_at)


@dataclass(frozen=True)
class GridPlace:
    """A time on a hall's timetable, from the cached set-up: no slot row read yet."""

    resource: Resource
    rules: BookingRules
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class GridFacts:
    """A grid slot's row and what decides its cell for one member, read in one go."""

    place: GridPlace
    slot: Slot | None  # no row: nobody has booked that time yet
    own: int | None = None  # the member's own live booking on it
    partner: int | None = None  # a booking that names the member as a partner
    closed: bool = False
    class_in_room: bool = False  # a class session holds the room then
    waiting: bool = False  # the member stands in its line
    plain: bool = True  # the row is the timetable's slot as the rules have it now

    @property
    def full(self) -> bool:
        return self.slot is not None and places_left(self.slot) == 0

    def taken_up(self, slot: Slot) -> "GridFacts":
        """These facts once the conditional UPDATE found no place left in ``slot``."""
        slot.taken = max(slot.taken, slot.capacity - slot.held)
        return replace(self, slot=slot)


async def grid_place(*, resource_id: int, starts_at: datetime) -> GridPlace:
    """The timetable's slot of a bookable resource starting then, or SlotError."""
    resource = await setup_cache.resource(resource_id)
    if resource is None or not resource.active or not rules.is_bookable(resource.facility):
        raise SlotError("unknown_slot")
    facility_rules = await rules.rules_for(resource.facility)
    ends_at = await _slot_end(facility_rules, resource.facility, starts_at)
    return GridPlace(resource, facility_rules, starts_at, ends_at)


async def grid_facts(*, member_id: int, place: GridPlace) -> GridFacts:
    found = await booking_sql.first(
        booking_sql.GRID_FACTS,
        member=member_id,
        resource=place.resource.id,
        facility=place.resource.facility_id,
        starts_at=place.starts_at,
        ends_at=place.ends_at,
        first_block=blocks(place.starts_at, place.ends_at)[0],
    )
    if found is None:
        return GridFacts(place, None)
    slot = Slot(
        resource_id=place.resource.id,
        starts_at=place.starts_at,
        ends_at=place.ends_at,
        capacity=found["capacity"],
        taken=found["taken"],
        held=found["held"],
        kind=SlotKind.GRID,
    )
    slot.id = found["id"]
    facts = {k: bool(found[k]) for k in ("closed", "class_in_room", "waiting", "plain")}
    return GridFacts(place, slot, found["own"], found["partner"], **facts)


async def make_grid_row(place: GridPlace) -> Slot | None:
    """The grid slot's row, made now; None when another request made it first."""
    made = await booking_sql.first(
        booking_sql.MAKE_GRID_ROW,
        resource=place.resource.id,
        starts_at=place.starts_at,
        ends_at=place.ends_at,
        capacity=place.resource.capacity,
    )
    if made is None:
        return None
    slot = Slot(
        resource_id=place.resource.id,
        starts_at=place.starts_at,
        ends_at=place.ends_at,
        capacity=place.resource.capacity,
        kind=SlotKind.GRID,
    )
    slot.id = made["id"]
    return slot


async def grid_slot_of(facts: GridFacts) -> Slot:
    """The slot row to take a place in: the one the facts read, when it is the
    timetable's slot as the rules have it now; otherwise made or mended here."""
    place = facts.place
    if facts.slot is not None and facts.plain:
        return facts.slot
    return await _grid_row(place.resource, place.starts_at, place.ends_at)


async def _slot_end(
    facility_rules: BookingRules, facility: Facility, starts_at: datetime
) -> datetime:
    """The end of the slot starting then, if the timetable has such a slot."""
    hours = await setup_cache.opening_hours(facility.id)
    day = clock.local_day(starts_at)
    known = _slot_ends.get((facility.id, day))
    # Worked out again whenever the cache hands out other rules or hours objects (its
    # counter moved): these are only valid for the very objects they came from.
    if known is None or known[0] is not facility_rules or known[1] is not hours:
        if len(_slot_ends) >= MAX_SLOT_DAYS:
            _slot_ends.clear()
        known = (facility_rules, hours, dict(rules.slot_times(facility_rules, hours, day)))
        _slot_ends[(facility.id, day)] = known
    if starts_at not in known[2]:
        raise SlotError("unknown_slot")
    return known[2][starts_at]


# Each booking asks for one slot of a hall's day; the day's slot times are worked out
# once per process (from the cached rules and hours) rather than on every request.
MAX_SLOT_DAYS = 1000
_slot_ends: dict[
    tuple[int, date],
    tuple[BookingRules, list[OpeningHours], dict[datetime, datetime]],
] = {}


async def _grid_row(resource: Resource, starts_at: datetime, ends_at: datetime) -> Slot:
    """The slot's row, made on first use; a concurrent maker wins and we read its row."""
    fresh = Slot(resource_id=resource.id, starts_at=starts_at, ends_at=ends_at)
    fresh.capacity = resource.capacity
    await Slot.bulk_create([fresh], ignore_conflicts=True)
    slot = await Slot.get(resource_id=resource.id, starts_at=starts_at, kind=SlotKind.GRID)
    if clock.utc(slot.ends_at) == ends_at:
        return slot
    # Left by a cancelled booking before the slot length changed: an empty row takes the
    # new length; a held one (the length lock should prevent it) is never stretched.
    if not await Slot.filter(id=slot.id, taken=0).update(ends_at=ends_at):
        raise SlotError("unknown_slot")
    return await Slot.get(id=slot.id)


# Rooms: a class session and a room booking never hold the same room at once.


def blocks(starts_at: datetime, ends_at: datetime) -> list[datetime]:
    """The quarter hours a period touches, in UTC (a partial quarter counts whole)."""
    start, end = clock.utc(starts_at), clock.utc(ends_at)
    block = start - timedelta(seconds=start.timestamp() % BLOCK_LENGTH.total_seconds())
    found = []
    while block < end:
        found.append(block)
        block += BLOCK_LENGTH
    return found


async def block_room(
    *,
    resource_id: int,
    starts_at: datetime,
    ends_at: datetime,
    slot_id: int | None = None,
    booking_id: int | None = None,
) -> None:
    """Hold a room for a class session (slot_id) or a room booking (booking_id).

    Call inside the transaction that creates the session or the booking: the unique
    key on (room, quarter hour) makes a concurrent holder of any of those quarters fail
    here with SlotError("room_in_use"). On PostgreSQL that failure spoils the
    transaction: a caller that wants to go on after it (a generator skipping one
    session) runs this in a nested ``after_commit.transaction()``, which is a savepoint.
    """
    rows = [
        RoomBlock(resource_id=resource_id, block_at=block, slot_id=slot_id, booking_id=booking_id)
        for block in blocks(starts_at, ends_at)
    ]
    try:
        await RoomBlock.bulk_create(rows)
    except IntegrityError:
        raise SlotError("room_in_use") from None


async def unblock_room(*, slot_id: int | None = None, booking_id: int | None = None) -> None:
    """Give back what a cancelled session (slot_id) or booking (booking_id) held."""
    if slot_id is not None:
        await RoomBlock.filter(slot_id=slot_id).delete()
    if booking_id is not None:
        await RoomBlock.filter(booking_id=booking_id).delete()
