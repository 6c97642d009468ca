"""The desk's Now board: per hall and court or room, what is on now and next, and who
is expected there (due, checked in, late, no-show).

Courts and gym hours come from the hall's timetable (a time nobody booked yet has no
slot row and shows as free); class sessions from their slots. The board says whether
anything is still to come today, so a desk PC stops asking once the day is over.
"""

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime

from tortoise.expressions import Q

from palace.models import (
    Booking,
    BookingPartner,
    BookingRules,
    BookingStatus,
    ClassSession,
    Closure,
    Facility,
    OpeningHours,
    Resource,
    SessionStatus,
    Slot,
    SlotKind,
)
from palace.services.booking import slots
from palace.services.core import clock
from palace.services.core.errors import NotFound
from palace.services.desk import checkin
from palace.services.desk.checkin import Attendee, people_on
from palace.services.facilities import closure_rule, rules


@dataclass(frozen=True)
class Expected:
    booking: Booking
    people: list[Attendee]


@dataclass(frozen=True)
class Period:
    """One slot of one court or room, booked or not."""

    resource: Resource
    starts_at: datetime
    ends_at: datetime
    slot: Slot | None  # None: a timetable time nobody has booked yet
    expected: list[Expected]
    closed: bool
    checkin_opens: datetime
    now: datetime
    lesson: ClassSession | None = None  # the class behind a session slot

    @property
    def cancelled(self) -> bool:
        return self.lesson is not None and self.lesson.status == SessionStatus.CANCELLED

    @property
    def session(self) -> bool:
        return self.slot is not None and self.slot.kind == SlotKind.SESSION

    @property
    def current(self) -> bool:
        return self.starts_at <= self.now

    @property
    def free(self) -> int:
        if self.slot is None:
            return self.resource.capacity
        return slots.places_left(self.slot)

    @property
    def walk_in(self) -> bool:
        """The desk may book someone standing there into it now."""
        open_now = not self.closed and not self.cancelled and self.checkin_opens <= self.now
        return open_now and self.free > 0


@dataclass(frozen=True)
class Line:
    resource: Resource
    periods: list[Period]  # what is on now, then what is next


@dataclass(frozen=True)
class HallNow:
    facility: Facility
    lines: list[Line]
    guests_allowed: bool


@dataclass(frozen=True)
class Board:
    halls: list[HallNow]
    at: datetime
    live: bool  # anything still on or to come today: keep refreshing
    choices: list[Facility]  # every hall the desk may pick
    facility_id: int | None  # the hall picked, or None for all

    @property
    def walk_ins(self) -> list[Period]:
        return [p for h in self.halls for line in h.lines for p in line.periods if p.walk_in]


async def board(*, facility_id: int | None) -> Board:
    """The board for one hall, or every active hall (None)."""
    choices = await Facility.filter(active=True)
    facilities = [f for f in choices if facility_id in (None, f.id)]
    if not facilities and facility_id is not None:
        raise NotFound("unknown_facility")
    now = clock.now()
    halls = [await _hall(f, now) for f in facilities]
    live = any(line.periods for hall in halls for line in hall.lines)
    return Board(halls, now, live, choices, facility_id)


async def _hall(facility: Facility, now: datetime) -> HallNow:
    facility_rules = await rules.rules_for(facility)
    resources = await Resource.filter(facility_id=facility.id, active=True)
    day_to = clock.day_bounds(clock.today())[1]
    rows = await Slot.filter(
        resource_id__in=[r.id for r in resources], ends_at__gt=now, starts_at__lt=day_to
    ).order_by("starts_at", "id")
    expected = await _expected(rows, facility_rules, now)
    lessons = {
        c.slot_id: c
        for c in await ClassSession.filter(slot_id__in=[s.id for s in rows]).select_related(
            "class_type", "instructor"
        )
    }
    closures = await Closure.filter(facility_id=facility.id, starts_at__lt=day_to, ends_at__gt=now)
    grid = await _grid_times(facility, facility_rules, now)
    lines = []
    for resource in resources:
        mine = [s for s in rows if s.resource_id == resource.id]
        times = _times(resource, mine, grid)
        periods = [
            _period(resource, start, end, slot, expected, closures, facility_rules, now)
            for start, end, slot in _now_and_next(times, now, facility_rules)
        ]
        periods = [replace(p, lesson=lessons.get(p.slot.id)) if p.slot else p for p in periods]
        lines.append(Line(resource, periods))
    return HallNow(facility, lines, facility_rules.guests_allowed)


Time = tuple[datetime, datetime, Slot | None]


async def _grid_times(
    facility: Facility, facility_rules: BookingRules, now: datetime
) -> list[tuple[datetime, datetime]]:
    if not rules.is_bookable(facility):
        return []
    hours = await OpeningHours.filter(facility_id=facility.id)
    return [
        (start, end)
        for start, end in rules.slot_times(facility_rules, hours, clock.today())
        if end > now
    ]


def _times(
    resource: Resource, rows: list[Slot], grid: list[tuple[datetime, datetime]]
) -> list[Time]:
    """The resource's timetable times (with their rows where booked) and class sessions."""
    grid_rows = {clock.utc(s.starts_at): s for s in rows if s.kind == SlotKind.GRID}
    times: list[Time] = [(start, end, grid_rows.get(start)) for start, end in grid]
    times += [
        (clock.utc(s.starts_at), clock.utc(s.ends_at), s)
        for s in rows
        if s.kind == SlotKind.SESSION
    ]
    return sorted(times, key=lambda t: (t[0], t[2].id if t[2] else 0))


def _now_and_next(times: list[Time], now: datetime, facility_rules: BookingRules) -> list[Time]:
    """What is on now, whatever check-in is open for, and the next court time and the
    next class (a room may have both)."""
    current = [t for t in times if t[0] <= now < t[1]]
    upcoming = [t for t in times if t[0] > now]
    checking_in = [t for t in upcoming if checkin.window(facility_rules, t[0])[0] <= now]
    grid = [t for t in upcoming if t[2] is None or t[2].kind == SlotKind.GRID][:1]
    sessions = [t for t in upcoming if t[2] is not None and t[2].kind == SlotKind.SESSION][:1]
    chosen = {id(t): t for t in [*current, *checking_in, *grid, *sessions]}
    return sorted(chosen.values(), key=lambda t: (t[0], t[2].id if t[2] else 0))


def _period(
    resource: Resource,
    start: datetime,
    end: datetime,
    slot: Slot | None,
    expected: dict[int, list[Expected]],
    closures: list[Closure],
    facility_rules: BookingRules,
    now: datetime,
) -> Period:
    closed = any(
        closure_rule.covers(c, facility_id=resource.facility_id, resource_id=resource.id,
                            starts_at=start, ends_at=end)
        for c in closures
    )  # fmt: skip
    opens = checkin.window(facility_rules, start)[0]
    people = expected.get(slot.id, []) if slot else []
    return Period(resource, start, end, slot, people, closed, opens, now)


async def _expected(
    rows: list[Slot], facility_rules: BookingRules, now: datetime
) -> dict[int, list[Expected]]:
    """Who is booked into each slot (no-shows too, so the desk sees them), by slot id."""
    found = (
        await Booking.filter(
            Q(status=BookingStatus.CONFIRMED) | Q(status=BookingStatus.NO_SHOW),
            slot_id__in=[s.id for s in rows],
        )
        .select_related("member")
        .order_by("created_at", "id")
    )
    partner_rows = await BookingPartner.filter(booking_id__in=[b.id for b in found]).select_related(
        "member"
    )
    partners: dict[int, list[BookingPartner]] = defaultdict(list)
    for row in sorted(partner_rows, key=lambda r: r.id):
        partners[row.booking_id].append(row)
    by_slot: dict[int, list[Expected]] = defaultdict(list)
    for booking in found:
        people = people_on(booking, partners[booking.id], facility_rules, now)
        by_slot[booking.slot_id].append(Expected(booking, people))
    return by_slot
