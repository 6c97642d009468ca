"""Staff plan weekly classes: a schedule is checked, saved and its first weeks made at once.

Form values arrive as typed (strings) and are checked field by field; a schedule that
collides with something is refused with the conflicts named (class_conflicts). Saving
makes the sessions of the next weeks in the same transaction, holding the room, so
staff see them at once and a room booking racing the save makes the save fail rather
than both keeping the room.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from palace.models import ClassType, Instructor, Resource, Schedule
from palace.services.booking import bookings
from palace.services.booking.slots import SlotError
from palace.services.classes import class_conflicts, class_sessions
from palace.services.classes.class_conflicts import Conflict, Findings
from palace.services.classes.class_sessions import ClassError
from palace.services.core import after_commit, audit, clock, text
from palace.services.facilities import rules

MAX_TERM_DAYS = 366
MAX_MINUTES = 240
FIELDS = (
    "class_type_id", "room_id", "instructor_id", "start", "minutes", "term_start", "term_end",
    "capacity", "days_ahead", "opens_at", "cutoff_hours",
)  # fmt: skip


class ScheduleConflict(ClassError):
    """Refused because of collisions; ``findings`` names each."""

    def __init__(self, findings: Findings):
        super().__init__("schedule_conflicts")
        self.findings = findings


@dataclass(frozen=True)
class Choices:
    class_types: list[ClassType]
    rooms: list[Resource]
    instructors: list[Instructor]


async def get(schedule_id: int) -> Schedule | None:
    return await Schedule.get_or_none(id=schedule_id)


async def choices() -> Choices:
    rooms = await Resource.filter(hosts_classes=True, active=True).select_related("facility")
    return Choices(
        class_types=await ClassType.filter(active=True),
        rooms=rooms,
        instructors=await Instructor.filter(active=True),
    )


WEEKDAY_TEXT = {str(day) for day in range(7)}
MAX_ID = 2**31 - 1
_int = text.whole  # one parser for whole numbers typed by staff


def _weekdays(raw: object) -> list[int] | None:
    items = raw if isinstance(raw, list) else []
    days = sorted({int(d) for d in items if isinstance(d, str) and d in WEEKDAY_TEXT})
    return days or None


def _parse(values: Mapping[str, object]) -> tuple[dict[str, object], dict[str, str]]:
    def get(name: str) -> str:
        value = values.get(name, "")
        return value[:40] if isinstance(value, str) else ""

    cutoff = text.minutes_from_hours(get("cutoff_hours"), 0, rules.MAX_CUTOFF_MINUTES // 60)
    parsed: dict[str, object] = {
        "class_type_id": _int(get("class_type_id"), 1, MAX_ID),
        "room_id": _int(get("room_id"), 1, MAX_ID),
        "instructor_id": _int(get("instructor_id"), 1, MAX_ID),
        "days": _weekdays(values.get("days")),
        "start_minute": clock.parse_minute(get("start")),
        "minutes": _int(get("minutes"), 15, MAX_MINUTES),
        "term_start": clock.parse_day(get("term_start")),
        "term_end": clock.parse_day(get("term_end")),
        "capacity": _int(get("capacity"), 1, class_sessions.MAX_CAPACITY),
        "days_ahead": _int(get("days_ahead"), 0, 60),
        "opens_minute": clock.parse_minute(get("opens_at")),
        "cancel_cutoff_minutes": cutoff,
    }
    codes = {
        "class_type_id": "class_type_unknown", "room_id": "room_unknown",
        "instructor_id": "instructor_unknown", "days": "days_missing",
        "start_minute": "time_invalid", "minutes": "minutes_invalid",
        "term_start": "day_invalid", "term_end": "day_invalid",
        "capacity": "capacity_invalid", "days_ahead": "days_ahead_invalid",
        "opens_minute": "time_invalid", "cancel_cutoff_minutes": "cutoff_invalid",
    }  # fmt: skip
    errors = {name: code for name, code in codes.items() if parsed[name] is None}
    return parsed, errors


def _term_errors(parsed: dict[str, object], errors: dict[str, str]) -> None:
    start, end = parsed["term_start"], parsed["term_end"]
    if isinstance(start, date) and isinstance(end, date) and "term_end" not in errors:
        if end < start:
            errors["term_end"] = "term_ends_before_start"
        elif end < clock.today():
            errors["term_end"] = "term_over"
        elif (end - start).days > MAX_TERM_DAYS:
            errors["term_end"] = "term_too_long"
    start_minute, minutes = parsed["start_minute"], parsed["minutes"]
    if (
        isinstance(start_minute, int)
        and isinstance(minutes, int)
        and (start_minute + minutes > 24 * 60)
    ):
        errors["minutes"] = "class_past_midnight"


async def _exist(
    parsed: dict[str, object], errors: dict[str, str], current: Schedule | None
) -> None:
    """Class type and instructor must be active; an edit may keep the ones it has."""
    kept_type = current.class_type_id if current else None
    if parsed["class_type_id"] and not await _usable(ClassType, parsed["class_type_id"], kept_type):
        errors["class_type_id"] = "class_type_unknown"
    kept_instructor = current.instructor_id if current else None
    if parsed["instructor_id"] and not await _usable(
        Instructor, parsed["instructor_id"], kept_instructor
    ):
        errors["instructor_id"] = "instructor_unknown"
    if parsed["room_id"] and not await Resource.exists(
        id=parsed["room_id"], hosts_classes=True, active=True
    ):
        errors["room_id"] = "room_unknown"


async def _usable(
    model: type[ClassType] | type[Instructor], chosen: object, kept: int | None
) -> bool:
    """Active, or (retired since) the one the schedule already has."""
    if chosen == kept:
        return await model.exists(id=chosen)
    return await model.exists(id=chosen, active=True)


async def checked(values: Mapping[str, object], *, current: Schedule | None = None) -> Schedule:
    """An unsaved schedule from the form; ClassError("schedule_invalid") names bad fields.

    A new schedule takes only active class types and instructors; an edit (``current``)
    may keep its own even when they have been retired since.
    """
    parsed, errors = _parse(values)
    _term_errors(parsed, errors)
    await _exist(parsed, errors, current)
    if errors:
        raise ClassError("schedule_invalid", fields=errors, max=class_sessions.MAX_CAPACITY)
    days = parsed.pop("days")
    assert isinstance(days, list)
    return Schedule(days=",".join(str(d) for d in days), **parsed)


def refuse(findings: Findings, skip_days: bool) -> None:
    if findings.hard or (findings.conflicts and not skip_days):
        raise ScheduleConflict(findings)


def stored_fields(schedule: Schedule) -> dict[str, object]:
    names = ("class_type_id", "room_id", "instructor_id", "days", "start_minute", "minutes",
             "term_start", "term_end", "capacity", "days_ahead", "opens_minute",
             "cancel_cutoff_minutes")  # fmt: skip
    return {name: getattr(schedule, name) for name in names}


def audit_detail(schedule: Schedule) -> dict[str, object]:
    return {
        k: v.isoformat() if isinstance(v, date) else v for k, v in stored_fields(schedule).items()
    }


async def create(
    *, actor_id: int, values: Mapping[str, object], skip_days: bool = False
) -> tuple[Schedule, int]:
    """Save a new schedule and make its first two weeks of sessions; returns both.

    The worker makes the rest up to four weeks ahead (class_sessions.generate).
    """
    candidate = await checked(values)
    refuse(await class_conflicts.find(candidate), skip_days)
    async with after_commit.transaction():
        schedule = await Schedule.create(**stored_fields(candidate))  # type: ignore[arg-type]
        made = await make_sessions(schedule)
        await audit.record(
            actor_id=actor_id,
            entity="class_schedule",
            entity_id=schedule.id,
            action="create",
            detail=audit_detail(schedule),
        )
    return schedule, made


async def make_sessions(schedule: Schedule) -> int:
    """The coming weeks' sessions, inside the caller's transaction; a lost room refuses."""
    have = await class_sessions.days_with_sessions(schedule.id)
    room = await Resource.get(id=schedule.room_id)
    made = 0
    until = class_sessions.horizon(class_sessions.CREATE_WEEKS)
    for occurrence in await class_sessions.wanted(schedule, until=until):
        if clock.local_day(occurrence.starts_at) in have:
            continue
        if await bookings.closure_over(room, occurrence.starts_at, occurrence.ends_at):
            continue
        try:
            await class_sessions.create_session(schedule, occurrence)
        except SlotError:
            conflict = Conflict("conflict_room_taken", {"when": occurrence.starts_at}, True)
            raise ScheduleConflict(Findings([conflict])) from None
        made += 1
    return made


def form_values(schedule: Schedule) -> dict[str, object]:
    """A saved schedule as the form shows it."""
    return {
        "class_type_id": str(schedule.class_type_id),
        "room_id": str(schedule.room_id),
        "instructor_id": str(schedule.instructor_id),
        "days": [str(d) for d in schedule.weekdays],
        "start": clock.hhmm(schedule.start_minute),
        "minutes": str(schedule.minutes),
        "term_start": schedule.term_start.isoformat(),
        "term_end": schedule.term_end.isoformat(),
        "capacity": str(schedule.capacity),
        "days_ahead": str(schedule.days_ahead),
        "opens_at": clock.hhmm(schedule.opens_minute),
        "cutoff_hours": text.hours_text(schedule.cancel_cutoff_minutes),
    }


def new_form_values() -> dict[str, object]:
    today = clock.today()
    return {
        "days": [],
        "minutes": "60",
        "term_start": today.isoformat(),
        "term_end": (today + timedelta(weeks=12)).isoformat(),
        "capacity": "20",
        "days_ahead": "7",
        "opens_at": "08:00",
        "cutoff_hours": "2",
    }
