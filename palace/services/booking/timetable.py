"""What a member sees: each hall's day as courts × slots, and what is free today."""

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum

from palace.models import (
    Booking,
    BookingRules,
    BookingStatus,
    Closure,
    Facility,
    FacilityKind,
    Member,
    Resource,
    RoomBlock,
    Slot,
    SlotKind,
    WaitlistEntry,
)
from palace.services.booking import booking_states, bookings, slots
from palace.services.core import clock
from palace.services.core.errors import NotFound, ServiceError
from palace.services.facilities import closure_rule, rules, setup_cache
from palace.services.facilities.rules import Quota
from palace.services.fairness import ballot_holds, queue_views


class CellState(StrEnum):
    FREE = "free"
    MINE = "mine"
    TAKEN = "taken"
    CLOSED = "closed"
    NOT_YET_OPEN = "not_yet_open"
    PAST = "past"
    CLASS = "class"  # a room a class holds at that time
    BALLOTED = "balloted"  # given by a ballot's draw until its leftovers are released


@dataclass(frozen=True)
class Cell:
    resource: Resource
    starts_at: datetime
    ends_at: datetime
    state: CellState
    places_left: int
    booking_id: int | None = None
    slot_id: int | None = None  # a full place's row, where its waitlist is
    waiting: bool = False  # the member stands in line for it
    late: bool = False  # free, but inside the free-cancellation cut-off: ask before booking
    closure_reason: str | None = None  # why a closed cell is closed, as staff wrote it
    ballot_id: int | None = None  # the ballot a balloted cell is entered through


@dataclass(frozen=True)
class Row:
    starts_at: datetime
    ends_at: datetime
    cells: list[Cell]


@dataclass(frozen=True)
class Day:
    facility: Facility
    rules: BookingRules
    day: date
    first_day: date
    last_day: date
    opens_at: datetime  # when booking opens for this day
    resources: list[Resource]
    rows: list[Row]
    quota: Quota
    is_open: bool  # booking for this day has opened
    has_hours: bool  # the hall opens at all on this day
    # Why the member cannot book here now (suspended, quota used up): said before a tap.
    blocked: ServiceError | None = None
    queue: queue_views.QueueNote | None = None  # this day's opening queue, or the next's

    @property
    def any_free(self) -> bool:
        return any(cell.state == CellState.FREE for row in self.rows for cell in row.cells)

    @property
    def any_full(self) -> bool:
        return any(
            cell.state == CellState.TAKEN and cell.slot_id is not None
            for row in self.rows
            for cell in row.cells
        )

    @property
    def days(self) -> list[date]:
        return [
            self.first_day + timedelta(days=n)
            for n in range((self.last_day - self.first_day).days + 1)
        ]

    @property
    def is_court(self) -> bool:
        return self.facility.kind == FacilityKind.COURT

    @property
    def free(self) -> int:
        return sum(1 for row in self.rows for c in row.cells if c.state == CellState.FREE)


@dataclass(frozen=True)
class _Known:
    slots: dict[tuple[int, datetime], Slot]
    mine: dict[tuple[int, datetime], int]
    closures: list[Closure]
    waiting: set[int]  # slot ids the member stands in line for
    class_blocks: set[tuple[int, datetime]]  # (room, quarter hour) held by a class session
    balloted: dict[tuple[int, datetime], int]  # (court, start) -> the ballot holding it


async def bookable_facility(code: str) -> Facility:
    facility = await setup_cache.facility_by_code(code)
    if facility is None or not rules.is_bookable(facility):
        raise NotFound("unknown_facility")
    return facility


async def day(*, member_id: int, code: str, day: date | None = None) -> Day:
    facility = await bookable_facility(code)
    facility_rules = await rules.rules_for(facility)
    first, last = rules.window(facility_rules, clock.today())
    shown = day or first
    if not first <= shown <= last:
        raise ServiceError("day_out_of_window", first=first, last=last)
    return await _build(member_id, facility, facility_rules, shown, first, last)


async def _build(
    member_id: int,
    facility: Facility,
    facility_rules: BookingRules,
    shown: date,
    first: date,
    last: date,
) -> Day:
    resources = await setup_cache.active_resources(facility)
    hours = await setup_cache.opening_hours(facility.id)
    times = rules.slot_times(facility_rules, hours, shown)
    known = await _known(member_id, facility, resources, shown)
    opens_at = rules.booking_opens_at(facility_rules, shown)
    now = clock.now()
    cutoff = timedelta(minutes=facility_rules.cancel_cutoff_minutes)
    rows = [
        Row(start, end, [_cell(r, start, end, known, now, opens_at, cutoff) for r in resources])
        for start, end in times
    ]
    # Today's rows that are over for everyone (and hold nothing of the member's) are noise.
    rows = [row for row in rows if any(c.state != CellState.PAST for c in row.cells)]
    day_start, _ = clock.day_bounds(shown)
    quota = await rules.grid_quota(member_id=member_id, facility=facility, day_start=day_start)
    return Day(
        facility=facility,
        rules=facility_rules,
        day=shown,
        first_day=first,
        last_day=last,
        opens_at=opens_at,
        resources=resources,
        rows=rows,
        quota=quota,
        is_open=now >= opens_at,
        has_hours=bool(times),
        blocked=await _blocked(member_id, quota, facility_rules),
        queue=await queue_views.note(
            facility_id=facility.id, facility_rules=facility_rules, day=shown
        ),
    )


async def _blocked(
    member_id: int, quota: Quota, facility_rules: BookingRules
) -> ServiceError | None:
    """The refusal any tap would get, whichever cell: the same rules as the core's."""
    member = await Member.get(id=member_id)
    if refusal := bookings.member_refusal(member):
        return refusal
    return quota.refusal(facility_rules.slot_minutes)


async def _known(
    member_id: int, facility: Facility, resources: list[Resource], shown: date
) -> _Known:
    day_from, day_to = clock.day_bounds(shown)
    ids = [r.id for r in resources]
    rows = await Slot.filter(
        resource_id__in=ids, kind=SlotKind.GRID, starts_at__gte=day_from, starts_at__lt=day_to
    )
    mine = await Booking.filter(
        booking_states.visible_to(member_id),
        resource_id__in=ids,
        status=BookingStatus.CONFIRMED,
        starts_at__gte=day_from,
        starts_at__lt=day_to,
    )
    closures = await Closure.filter(
        facility_id=facility.id, starts_at__lt=day_to, ends_at__gt=day_from
    )
    full = [s.id for s in rows if slots.places_left(s) == 0]
    lines = WaitlistEntry.filter(member_id=member_id, live_slot__in=full) if full else None
    return _Known(
        slots={(s.resource_id, clock.utc(s.starts_at)): s for s in rows},
        mine={(b.resource_id, clock.utc(b.starts_at)): b.id for b in mine},
        closures=closures,
        waiting={e.slot_id for e in await lines.only("slot_id")} if lines else set(),
        class_blocks=await _class_blocks(resources, day_from, day_to),
        balloted=await _balloted(facility, shown),
    )


async def _balloted(facility: Facility, shown: date) -> dict[tuple[int, datetime], int]:
    held = await ballot_holds.held_on(facility_id=facility.id, day=shown)
    return {place: found.ballot_id for place, found in held.items()}


async def _class_blocks(
    resources: list[Resource], day_from: datetime, day_to: datetime
) -> set[tuple[int, datetime]]:
    """Quarter hours of the day's rooms that class sessions hold."""
    rooms = [r.id for r in resources if r.hosts_classes]
    if not rooms:
        return set()
    found = await RoomBlock.filter(
        resource_id__in=rooms, slot_id__isnull=False, block_at__gte=day_from, block_at__lt=day_to
    )
    return {(b.resource_id, clock.utc(b.block_at)) for b in found}


def _cell(
    resource: Resource,
    start: datetime,
    end: datetime,
    known: _Known,
    now: datetime,
    opens_at: datetime,
    cutoff: timedelta = timedelta(0),
) -> Cell:
    slot = known.slots.get((resource.id, start))
    left = slots.places_left(slot) if slot else resource.capacity
    booking_id = known.mine.get((resource.id, start))
    closure = _closure_over(known.closures, resource, start, end)
    ballot_id = known.balloted.get((resource.id, start))
    state = _state(
        mine=booking_id is not None,
        past=start <= now,
        closed=closure is not None,
        class_in_room=any((resource.id, b) in known.class_blocks for b in slots.blocks(start, end)),
        not_open=now < opens_at,
        left=left,
        balloted=ballot_id is not None,
    )
    slot_id = slot.id if slot else None
    waiting = slot_id in known.waiting
    late = state == CellState.FREE and start - cutoff <= now
    reason = closure.reason if closure is not None and state == CellState.CLOSED else None
    cell = Cell(
        resource, start, end, state, max(left, 0), booking_id, slot_id, waiting, late, reason
    )
    return replace(cell, ballot_id=ballot_id) if state == CellState.BALLOTED else cell


def _state(
    *,
    mine: bool,
    past: bool,
    closed: bool,
    class_in_room: bool,
    not_open: bool,
    left: int,
    balloted: bool = False,
) -> CellState:
    """What a cell shows, first match wins: a closed or class-held place is not "taken"."""
    if mine:
        return CellState.MINE
    if past:
        return CellState.PAST
    if closed:
        return CellState.CLOSED
    if class_in_room:
        return CellState.CLASS
    if balloted:
        return CellState.BALLOTED
    if not_open:
        return CellState.NOT_YET_OPEN
    return CellState.TAKEN if left <= 0 else CellState.FREE


def _closure_over(
    closures: list[Closure], resource: Resource, start: datetime, end: datetime
) -> Closure | None:
    """The first of the day's closures that covers the cell, if any."""
    for closure in closures:
        if closure_rule.covers(closure, facility_id=resource.facility_id,
                               resource_id=resource.id, starts_at=start, ends_at=end):  # fmt: skip
            return closure
    return None


async def cell(*, member_id: int, resource_id: int, starts_at: datetime) -> Cell:
    """One cell, fresh from the database: what the member sees after a tap."""
    resource = await setup_cache.resource(resource_id)
    if resource is None:
        raise ServiceError("unknown_slot")
    facility_rules = await rules.rules_for(resource.facility)
    shown = clock.local_day(starts_at)
    known = await _known(member_id, resource.facility, [resource], shown)
    end = starts_at + timedelta(minutes=facility_rules.slot_minutes)
    opens_at = rules.booking_opens_at(facility_rules, shown)
    cutoff = timedelta(minutes=facility_rules.cancel_cutoff_minutes)
    return _cell(resource, starts_at, end, known, clock.now(), opens_at, cutoff)


@dataclass(frozen=True)
class Tap:
    """A member's tap on a cell: the cell as it is now, the quota line where it may have
    changed, and why the tap was refused (None when booked)."""

    cell: Cell | None  # None: no such slot on the timetable
    quota: Quota | None
    error: ServiceError | None


async def tap(*, member_id: int, resource_id: int, starts_at: datetime) -> Tap:
    """Book a cell, answering from what the booking learnt: no second look at the
    database, except where a rule inside the core refused (rare, and then fresh)."""
    try:
        taken = await bookings.book_cell(
            member_id=member_id, resource_id=resource_id, starts_at=starts_at
        )
    except bookings.SlotGone as gone:
        return Tap(_gone_cell(gone.facts), None, gone)
    except ServiceError as error:
        if error.code == "unknown_slot":
            return Tap(None, None, error)
        now_cell = await cell(member_id=member_id, resource_id=resource_id, starts_at=starts_at)
        facility = now_cell.resource.facility
        quota = await rules.grid_quota(member_id=member_id, facility=facility, day_start=starts_at)
        return Tap(now_cell, quota, error)
    terms = taken.terms
    booked = Cell(terms.resource, terms.starts_at, terms.ends_at, CellState.MINE,
                  max(taken.places_left, 0), taken.booking.id, terms.slot.id)  # fmt: skip
    return Tap(booked, taken.quota, None)


def _gone_cell(facts: slots.GridFacts) -> Cell:
    place = facts.place
    assert facts.slot is not None  # only a full row is gone
    left = slots.places_left(facts.slot)
    now = clock.now()
    opens_at = rules.booking_opens_at(place.rules, clock.local_day(place.starts_at))
    state = _state(
        mine=facts.own is not None or facts.partner is not None,
        past=place.starts_at <= now,
        closed=facts.closed,
        class_in_room=facts.class_in_room and place.resource.hosts_classes,
        not_open=now < opens_at,
        left=left,
    )
    mine = facts.own or facts.partner
    return Cell(place.resource, place.starts_at, place.ends_at, state, max(left, 0), mine,
                facts.slot.id, facts.waiting)  # fmt: skip


@dataclass(frozen=True)
class Summary:
    facility: Facility
    free_today: int
    closed_today: bool


async def facilities(*, member_id: int) -> list[Summary]:
    """Every bookable hall with the number of free slots left today."""
    summaries = []
    for facility in await Facility.filter(active=True):
        if not rules.is_bookable(facility):
            continue
        today = await day(member_id=member_id, code=facility.code)
        summaries.append(Summary(facility, today.free, not today.has_hours))
    return summaries
