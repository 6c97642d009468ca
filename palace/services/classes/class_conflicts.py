"""What a planned schedule would collide with, named so staff can fix it.

Hard conflicts always refuse: the room is held by a room booking or another class,
or the instructor teaches elsewhere then. Soft ones refuse until staff agree to skip
those days: a closure of the room, a public holiday, one of the palace's no-class
days. This check reads; what finally keeps a class and a room booking apart is the
unique room hold written when sessions are made (services/classes/class_sessions).
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from tortoise.expressions import Q

from palace.models import (
    ClassSession,
    Closure,
    Instructor,
    Resource,
    RoomHold,
    Schedule,
    SessionStatus,
)
from palace.services.booking import slots
from palace.services.classes import class_calendar, holidays
from palace.services.classes.class_sessions import Occurrence, occurrences
from palace.services.core import clock
from palace.services.facilities import closure_rule


@dataclass(frozen=True)
class Conflict:
    code: str  # a message code; params fill it in
    params: dict[str, object]
    hard: bool


@dataclass
class Findings:
    conflicts: list[Conflict] = field(default_factory=list)
    unknown_years: list[int] = field(default_factory=list)

    @property
    def hard(self) -> list[Conflict]:
        return [c for c in self.conflicts if c.hard]

    def add(self, conflict: Conflict) -> None:
        # One message per kind and subject: the first collision names the problem.
        if all((c.code, c.params.get("subject")) != (conflict.code, conflict.params.get("subject"))
               for c in self.conflicts):  # fmt: skip
            self.conflicts.append(conflict)


def term_days(schedule: Schedule) -> tuple[date, date]:
    return max(schedule.term_start, clock.today()), schedule.term_end


async def planned(schedule: Schedule) -> tuple[list[Occurrence], list[class_calendar.Skipped]]:
    """The meetings a schedule asks for over the rest of its term, and the days it skips."""
    first, last = term_days(schedule)
    if last < first:
        return [], []
    palace = await class_calendar.palace_days(first, last)
    days, skipped = class_calendar.plan(schedule.weekdays, first, last, palace)
    now = clock.now()
    return [o for o in occurrences(schedule, days) if o.starts_at > now], skipped


async def find(candidate: Schedule, *, exclude: int | None = None) -> Findings:
    """Everything ``candidate`` collides with; ``exclude`` is its own id when editing."""
    found = Findings()
    meetings, skipped = await planned(candidate)
    first, last = term_days(candidate)
    found.unknown_years = await holidays.unconfirmed_years(first, last) if first <= last else []
    _skipped_days(found, skipped)
    if not meetings:
        return found
    room = await Resource.get(id=candidate.room_id)
    await _closures(found, room, meetings)
    await _room_holds(found, room, meetings, exclude)
    await _other_schedules(found, candidate, meetings, exclude)
    await _instructor_sessions(found, candidate, meetings, exclude)
    return found


def _skipped_days(found: Findings, skipped: list[class_calendar.Skipped]) -> None:
    for day in skipped:
        if day.holiday is not None:
            params = {"day": day.day, "holiday": day.holiday, "subject": day.holiday}
            found.add(Conflict("conflict_holiday", params, False))
        elif day.no_class is not None:
            params = {"day": day.day, "reason": day.no_class, "subject": day.day}
            found.add(Conflict("conflict_no_class_day", params, False))


def _overlap(a: Occurrence, starts_at: datetime, ends_at: datetime) -> bool:
    return a.starts_at < clock.utc(ends_at) and clock.utc(starts_at) < a.ends_at


def _closes(closure: Closure, room: Resource, meeting: Occurrence) -> bool:
    return closure_rule.covers(
        closure,
        facility_id=room.facility_id,
        resource_id=room.id,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
    )


async def _closures(found: Findings, room: Resource, meetings: list[Occurrence]) -> None:
    closures = await Closure.filter(
        closure_rule.covering(
            facility_id=room.facility_id,
            resource_id=room.id,
            starts_at=meetings[0].starts_at,
            ends_at=meetings[-1].ends_at,
        )
    )
    for closure in closures:
        hit = next((m for m in meetings if _closes(closure, room, m)), None)
        if hit is not None:
            params = {"when": hit.starts_at, "reason": closure.reason, "subject": closure.id}
            found.add(Conflict("conflict_closure", params, False))


def _by_block(meetings: list[Occurrence]) -> dict[datetime, Occurrence]:
    return {block: m for m in meetings for block in slots.blocks(m.starts_at, m.ends_at)}


async def _room_holds(
    found: Findings, room: Resource, meetings: list[Occurrence], exclude: int | None
) -> None:
    wanted = _by_block(meetings)
    holds = await RoomHold.filter(
        resource_id=room.id,
        block_at__gte=min(wanted),
        block_at__lte=max(wanted),
    ).order_by("block_at")
    own: set[int] = set()
    if exclude is not None:
        own = {s.slot_id for s in await ClassSession.filter(schedule_id=exclude).only("slot_id")}
    for hold in holds:
        hit = wanted.get(clock.utc(hold.block_at))
        if hit is None or (hold.slot_id is not None and hold.slot_id in own):
            continue
        if hold.booking_id is not None:
            found.add(Conflict("conflict_room_booking", {"when": hit.starts_at}, True))
        else:
            session = await ClassSession.get(slot_id=hold.slot_id).select_related("class_type")
            params = {"when": hit.starts_at, "name": session.class_type, "subject": "room"}
            found.add(Conflict("conflict_room_class", params, True))


async def _other_schedules(
    found: Findings, candidate: Schedule, meetings: list[Occurrence], exclude: int | None
) -> None:
    """Schedules in the same room or with the same instructor, over the weeks to come."""
    others = await (
        Schedule.filter(
            Q(room_id=candidate.room_id) | Q(instructor_id=candidate.instructor_id),
            active=True,
            term_start__lte=candidate.term_end,
            term_end__gte=max(candidate.term_start, clock.today()),
        )
        .exclude(id=exclude or 0)
        .select_related("class_type", "instructor")
    )
    wanted = _by_block(meetings)
    for other in others:
        other_meetings, _ = await planned(other)
        hit = next(
            (wanted[b] for m in other_meetings for b in slots.blocks(m.starts_at, m.ends_at)
             if b in wanted), None,
        )  # fmt: skip
        if hit is None:
            continue
        if other.room_id == candidate.room_id:
            params = {"when": hit.starts_at, "name": other.class_type, "subject": "room"}
            found.add(Conflict("conflict_room_class", params, True))
        if other.instructor_id == candidate.instructor_id:
            _instructor(found, other.instructor, hit, other.class_type)


def _instructor(found: Findings, teacher: Instructor, hit: Occurrence, name: object) -> None:
    params = {"when": hit.starts_at, "instructor": teacher.name, "name": name, "subject": "i"}
    found.add(Conflict("conflict_instructor", params, True))


async def _instructor_sessions(
    found: Findings, candidate: Schedule, meetings: list[Occurrence], exclude: int | None
) -> None:
    """Single sessions given to this instructor (a stand-in for another class)."""
    sessions = await (
        ClassSession.filter(
            instructor_id=candidate.instructor_id,
            status=SessionStatus.SCHEDULED,
            starts_at__lt=meetings[-1].ends_at,
            ends_at__gt=meetings[0].starts_at,
        )
        .exclude(schedule_id=exclude or 0)
        .select_related("class_type", "instructor")
    )
    for session in sessions:
        hit = next((m for m in meetings if _overlap(m, session.starts_at, session.ends_at)), None)
        if hit is not None:
            _instructor(found, session.instructor, hit, session.class_type)


async def instructor_busy(
    *, instructor_id: int, starts_at: datetime, ends_at: datetime, session_id: int
) -> ClassSession | None:
    """Another scheduled session this instructor teaches at that time, if any."""
    return (
        await ClassSession.filter(
            instructor_id=instructor_id,
            status=SessionStatus.SCHEDULED,
            starts_at__lt=ends_at,
            ends_at__gt=starts_at,
        )
        .exclude(id=session_id)
        .select_related("class_type")
        .first()
    )
