"""Rooms, class types, instructors and schedules for the class tests."""

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from tortoise.transactions import in_transaction

from palace.models import (
    ClassSession,
    ClassType,
    FacilityKind,
    HolidayYear,
    Instructor,
    Resource,
    Role,
    Schedule,
)
from palace.services.classes import class_sessions, holidays, schedules
from palace.services.classes.class_sessions import SessionTime
from palace.services.core import clock
from tests.helpers import court, make_hall, make_member


async def make_room(*, code: str = "studio", bookable: bool = False, **rules: Any) -> Resource:
    """A room that hosts classes: a classroom, or (``bookable``) a hall's court too."""
    kind = FacilityKind.COURT if bookable else FacilityKind.CLASSROOM
    hall = await make_hall(code=code, kind=kind, courts=1, **{"max_active": 5, **rules})
    room = await court(hall)
    room.hosts_classes = True
    room.capacity = 1 if bookable else 25
    await room.save()
    return room


async def make_class_type(
    *, code: str = "yoga", name_zh: str = "瑜伽", name_en: str = "Yoga", children: bool = False
) -> ClassType:
    found, _ = await ClassType.get_or_create(
        code=code, defaults={"name_zh": name_zh, "name_en": name_en, "for_children": children}
    )
    return found


async def make_instructor(name: str = "陈静") -> Instructor:
    return await Instructor.create(name=name)


def form(
    class_type: ClassType,
    room: Resource,
    instructor: Instructor,
    *,
    days: tuple[int, ...] = (1, 3),
    start: str = "19:30",
    term_start: date | None = None,
    term_end: date | None = None,
    **values: str,
) -> dict[str, object]:
    """A schedule form as staff fill it in: Tue/Thu 19:30 for an hour by default."""
    first = term_start or clock.today()
    return {
        "class_type_id": str(class_type.id),
        "room_id": str(room.id),
        "instructor_id": str(instructor.id),
        "days": [str(d) for d in days],
        "start": start,
        "minutes": "60",
        "term_start": first.isoformat(),
        "term_end": (term_end or first + timedelta(weeks=12)).isoformat(),
        "capacity": "20",
        "days_ahead": "7",
        "opens_at": "08:00",
        "cutoff_hours": "2",
        **values,
    }


async def make_schedule(
    room: Resource | None = None, *, skip_days: bool = True, **values: Any
) -> Schedule:
    """A schedule saved through the planning service (its first weeks made at once)."""
    room = room or await make_room()
    class_type = values.pop("class_type", None) or await make_class_type()
    instructor = values.pop("instructor", None) or await make_instructor()
    staff = await make_member(role=Role.STAFF)
    await confirm_unknown_years()
    schedule, _made = await schedules.create(
        actor_id=staff.id,
        values=form(class_type, room, instructor, **values),
        skip_days=skip_days,
    )
    return schedule


async def plain_session(room: Resource | None = None) -> ClassSession:
    """A session tomorrow evening, made without the calendar (any year, holiday or not)."""
    room = room or await make_room()
    today = clock.today()
    schedule = await Schedule.create(
        class_type=await make_class_type(), room=room, instructor=await make_instructor(),
        days="0,1,2,3,4,5,6", start_minute=19 * 60 + 30, minutes=60, term_start=today,
        term_end=today + timedelta(days=7), capacity=20,
    )  # fmt: skip
    starts_at = clock.at(today + timedelta(days=1), 19 * 60 + 30)
    async with in_transaction():
        return await class_sessions.create_session(
            schedule, SessionTime(starts_at, starts_at + timedelta(hours=1))
        )


async def confirm_unknown_years() -> None:
    """Let classes meet in the coming year even when the holiday data does not know it
    yet, as staff do on the planning page: tests must not stop working on 1 January."""
    today = clock.today()
    for year in holidays.unknown_years(today, today + timedelta(days=366)):
        await HolidayYear.get_or_create(year=year)


def freeze(monkeypatch: pytest.MonkeyPatch, local: datetime) -> datetime:
    """Stop the clock at a local wall time in the palace's zone; returns the UTC instant."""
    instant = clock.at(local.date(), local.hour * 60 + local.minute)
    monkeypatch.setattr(clock, "now", lambda: instant)
    return instant
