"""What planning staff look at: a week of rooms × time, one session, its roster, demand."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from palace.models import (
    Booking,
    BookingStatus,
    ClassDemand,
    ClassSession,
    ClassType,
    Closure,
    DayPart,
    Instructor,
    Resource,
    Schedule,
    SessionStatus,
    Slot,
    WaitlistEntry,
    WaitStatus,
)
from palace.models.waitlists import LIVE
from palace.services.classes import class_sessions, classes, holidays
from palace.services.classes.class_sessions import ClassError
from palace.services.core import clock
from palace.services.facilities import closure_rule

WEEKS_BACK, WEEKS_AHEAD = 8, 26


@dataclass(frozen=True)
class Item:
    """One thing in a room on a day: a class session, a room booking or a closure."""

    kind: str  # "session", "booking" or "closure"
    starts_at: datetime
    ends_at: datetime
    session: ClassSession | None = None
    closure: Closure | None = None


@dataclass(frozen=True)
class RoomWeek:
    room: Resource
    days: list[list[Item]]  # Monday to Sunday


@dataclass(frozen=True)
class WeekPlan:
    first: date
    days: list[date]
    rooms: list[RoomWeek]
    schedules: list[Schedule]
    # Years active terms reach that the holiday data does not cover and staff have not
    # confirmed: no class meets in them yet.
    unknown_years: list[int]
    last_known_year: int

    @property
    def previous(self) -> date:
        return self.first - timedelta(weeks=1)

    @property
    def next(self) -> date:
        return self.first + timedelta(weeks=1)


async def week(*, day: date | None = None) -> WeekPlan:
    """The plan of the week holding ``day``; without one, the week members see first."""
    this_week = classes.monday(clock.today())
    first = classes.monday(day) if day else await classes.first_week()
    earliest = this_week - timedelta(weeks=WEEKS_BACK)
    latest = this_week + timedelta(weeks=WEEKS_AHEAD)
    if not earliest <= first <= latest:
        raise ClassError("week_out_of_range", first=earliest, last=latest)
    days = [first + timedelta(days=n) for n in range(7)]
    start, _ = clock.day_bounds(first)
    _, end = clock.day_bounds(days[-1])
    rooms = await Resource.filter(hosts_classes=True, active=True).select_related("facility")
    room_weeks = [RoomWeek(room, await _room_days(room, days, start, end)) for room in rooms]
    active = await Schedule.filter(active=True, term_end__gte=clock.today()).select_related(
        "class_type", "room", "instructor"
    )
    unknown = await _unknown(active)
    return WeekPlan(first, days, room_weeks, active, unknown, holidays.last_known_year())


async def _unknown(active: list[Schedule]) -> list[int]:
    years: set[int] = set()
    for schedule in active:
        years.update(await holidays.unconfirmed_years(schedule.term_start, schedule.term_end))
    return sorted(years)


async def _room_days(
    room: Resource, days: list[date], start: datetime, end: datetime
) -> list[list[Item]]:
    sessions = await ClassSession.filter(
        room_id=room.id, starts_at__lt=end, ends_at__gt=start
    ).select_related("class_type", "instructor", "slot")
    booked = await Booking.filter(
        resource_id=room.id,
        status=BookingStatus.CONFIRMED,
        slot__kind="grid",
        starts_at__lt=end,
        ends_at__gt=start,
    )
    closed = await Closure.filter(
        closure_rule.covering(
            facility_id=room.facility_id, resource_id=room.id, starts_at=start, ends_at=end
        )
    )
    items = [Item("session", s.starts_at, s.ends_at, session=s) for s in sessions]
    items += [Item("booking", b.starts_at, b.ends_at) for b in booked]
    items += [Item("closure", c.starts_at, c.ends_at, closure=c) for c in closed]
    return [
        sorted((i for i in items if _on(i, day)), key=lambda i: clock.utc(i.starts_at))
        for day in days
    ]


def _on(item: Item, day: date) -> bool:
    day_start, day_end = clock.day_bounds(day)
    return clock.utc(item.starts_at) < day_end and clock.utc(item.ends_at) > day_start


# One session and its roster.


@dataclass(frozen=True)
class RosterLine:
    booking: Booking  # with member and child
    child_name: str | None


@dataclass(frozen=True)
class WaitingLine:
    """Someone in the session's line, in order: a member, or a member's child."""

    entry: WaitlistEntry  # with member and child
    position: int

    @property
    def offered(self) -> bool:
        return self.entry.status == WaitStatus.OFFERED


@dataclass(frozen=True)
class SessionView:
    session: ClassSession  # with class_type, room, instructor, slot, schedule
    lines: list[RosterLine]  # confirmed first, then cancelled
    instructors: list[Instructor]
    waiting: list[WaitingLine] = field(default_factory=list)  # the line, first first

    @property
    def confirmed(self) -> list[RosterLine]:
        return [line for line in self.lines if line.booking.status == BookingStatus.CONFIRMED]

    @property
    def upcoming(self) -> bool:
        return (
            self.session.status == SessionStatus.SCHEDULED
            and clock.utc(self.session.starts_at) > clock.now()
        )


async def session_view(*, session_id: int) -> SessionView:
    session = await class_sessions.scheduled(session_id)
    await session.fetch_related("schedule")
    found = (
        await Booking.filter(slot_id=session.slot_id)
        .select_related("member", "child")
        .order_by("created_at", "id")
    )
    lines = [RosterLine(b, b.child.name if b.child else None) for b in found]
    lines.sort(key=lambda line: line.booking.status != BookingStatus.CONFIRMED)
    in_line = (
        await WaitlistEntry.filter(slot_id=session.slot_id, status__in=LIVE)
        .select_related("member", "child")
        .order_by("id")
    )
    waiting = [WaitingLine(entry, n) for n, entry in enumerate(in_line, start=1)]
    return SessionView(session, lines, await Instructor.filter(active=True), waiting)


# Demand beside how full sessions run.


@dataclass(frozen=True)
class PartFigures:
    wanted: int  # members asking for this time of day
    sessions: int  # sessions at this time of day in the last and next four weeks
    fill: int | None  # percent of their places taken
    waiting: int = 0  # in line now for those sessions still to come


@dataclass(frozen=True)
class DemandRow:
    class_type: ClassType
    parts: dict[str, PartFigures]  # day part -> what members ask beside what runs

    @property
    def wanted(self) -> dict[str, int]:
        return {part: figures.wanted for part, figures in self.parts.items()}


def day_part(starts_at: datetime) -> DayPart:
    """Morning before noon, afternoon before 18:00, evening after (palace time)."""
    hour = clock.utc(starts_at).astimezone(clock.zone()).hour
    if hour < 12:
        return DayPart.MORNING
    return DayPart.AFTERNOON if hour < 18 else DayPart.EVENING


def _fill(slots: list[Slot]) -> int | None:
    places = sum(slot.capacity for slot in slots)
    return round(100 * sum(slot.taken for slot in slots) / places) if places else None


async def demand() -> list[DemandRow]:
    """Per class type and time of day: how many members ask, beside how full sessions run."""
    since = clock.now() - timedelta(weeks=4)
    until = clock.now() + timedelta(weeks=4)
    types = await ClassType.filter(active=True)
    asked = await ClassDemand.filter(class_type_id__in=[t.id for t in types])
    held = await ClassSession.filter(
        class_type_id__in=[t.id for t in types],
        status=SessionStatus.SCHEDULED,
        starts_at__gte=since,
        starts_at__lt=until,
    ).select_related("slot")
    lines = await _waiting_by_slot([s.slot_id for s in held])
    rows = []
    for class_type in types:
        parts = {}
        for part in DayPart:
            slots = [
                s.slot
                for s in held
                if s.class_type_id == class_type.id and day_part(s.starts_at) == part
            ]
            wanted = sum(
                1 for a in asked if a.class_type_id == class_type.id and a.day_part == part
            )
            waiting = sum(lines.get(slot.id, 0) for slot in slots)
            parts[part.value] = PartFigures(wanted, len(slots), _fill(slots), waiting)
        rows.append(DemandRow(class_type, parts))
    return rows


async def _waiting_by_slot(slot_ids: list[int]) -> dict[int, int]:
    """How many stand in each slot's line now (members and children)."""
    if not slot_ids:
        return {}
    rows = await WaitlistEntry.filter(slot_id__in=slot_ids, status__in=LIVE).only("slot_id")
    counted: dict[int, int] = {}
    for row in rows:
        counted[row.slot_id] = counted.get(row.slot_id, 0) + 1
    return counted
