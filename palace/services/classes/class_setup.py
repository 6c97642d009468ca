"""What class planning is built from: class types, instructors and the palace's no-class days."""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from tortoise.exceptions import IntegrityError
from tortoise.queryset import QuerySet

from palace.models import (
    Booking,
    BookingStatus,
    ClassLevel,
    ClassSession,
    ClassType,
    HolidayYear,
    Instructor,
    NoClassDay,
    SessionStatus,
)
from palace.services.classes import class_sessions, holidays
from palace.services.classes.class_sessions import ClassError, ClassNotFound
from palace.services.core import after_commit, audit, clock

NAME_MAX, DESCRIPTION_MAX, PERSON_MAX = 60, 400, 40


@dataclass(frozen=True)
class Setup:
    class_types: list[ClassType]
    instructors: list[Instructor]
    no_class_days: list[NoClassDay]  # from today on


async def overview() -> Setup:
    return Setup(
        await ClassType.all(),
        await Instructor.all(),
        await NoClassDay.filter(day__gte=clock.today()),
    )


def _text(raw: str, limit: int) -> str | None:
    text = class_sessions.closures_text(raw[: limit * 4])
    return text if 0 < len(text) <= limit else None


def _code(name_en: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", unicodedata.normalize("NFKD", name_en).lower()).strip("-")
    return slug[:30] or "class"


@dataclass(frozen=True)
class TypeValues:
    name_zh: str
    name_en: str
    description: str
    level: ClassLevel
    for_children: bool


def _type_values(
    *, name_zh: str, name_en: str, description: str, level: str, children: bool
) -> TypeValues:
    zh, en = _text(name_zh, NAME_MAX), _text(name_en, NAME_MAX)
    if zh is None or en is None or level not in {lv.value for lv in ClassLevel}:
        raise ClassError("class_type_invalid", fields={"name_zh": "class_type_invalid"})
    about = _text(description, DESCRIPTION_MAX) or ""
    return TypeValues(zh, en, about, ClassLevel(level), children)


async def add_class_type(
    *, actor_id: int, name_zh: str, name_en: str, description: str, level: str, children: bool
) -> ClassType:
    values = _type_values(
        name_zh=name_zh, name_en=name_en, description=description, level=level, children=children
    )
    async with after_commit.transaction():
        code = _code(values.name_en)
        if await ClassType.exists(code=code):
            code = f"{code}-{await ClassType.all().count() + 1}"
        made = await ClassType.create(
            code=code, name_zh=values.name_zh, name_en=values.name_en,
            description_zh=values.description, description_en=values.description,
            level=values.level, for_children=values.for_children,
        )  # fmt: skip
        await audit.record(actor_id=actor_id, entity="class_type", entity_id=made.id,
                           action="create", detail={"code": code})  # fmt: skip
    return made


async def update_class_type(
    *,
    actor_id: int,
    class_type_id: int,
    name_zh: str,
    name_en: str,
    description: str,
    level: str,
    children: bool,
    active: bool,
) -> ClassType:
    """Correct a class type, or retire it: a retired class is offered for no new schedule
    and no wish; sessions already planned keep their name."""
    values = _type_values(
        name_zh=name_zh, name_en=name_en, description=description, level=level, children=children
    )
    async with after_commit.transaction():
        found = await ClassType.filter(id=class_type_id).select_for_update().first()
        if found is None:
            raise ClassNotFound("class_type_unknown")
        before = {"name_zh": found.name_zh, "name_en": found.name_en, "active": found.active}
        found.update_from_dict(
            {"name_zh": values.name_zh, "name_en": values.name_en,
             "description_zh": values.description, "description_en": values.description,
             "level": values.level, "for_children": values.for_children, "active": active}
        )  # fmt: skip
        await found.save()
        await audit.record(
            actor_id=actor_id, entity="class_type", entity_id=found.id, action="update",
            detail={"before": before, "active": active},
        )  # fmt: skip
    return found


async def add_instructor(*, actor_id: int, name: str) -> Instructor:
    cleaned = _text(name, PERSON_MAX)
    if cleaned is None:
        raise ClassError("instructor_name_invalid", fields={"name": "instructor_name_invalid"})
    async with after_commit.transaction():
        made = await Instructor.create(name=cleaned)
        await audit.record(actor_id=actor_id, entity="instructor", entity_id=made.id,
                           action="create")  # fmt: skip
    return made


async def update_instructor(
    *, actor_id: int, instructor_id: int, name: str, active: bool
) -> Instructor:
    """Correct an instructor's name, or retire them from new schedules and substitutions."""
    cleaned = _text(name, PERSON_MAX)
    if cleaned is None:
        raise ClassError("instructor_name_invalid", fields={"name": "instructor_name_invalid"})
    async with after_commit.transaction():
        found = await Instructor.filter(id=instructor_id).select_for_update().first()
        if found is None:
            raise ClassNotFound("instructor_unknown")
        before = {"name": found.name, "active": found.active}
        found.name, found.active = cleaned, active
        await found.save()
        await audit.record(
            actor_id=actor_id, entity="instructor", entity_id=found.id, action="update",
            detail={"before": before, "active": active},
        )  # fmt: skip
    return found


@dataclass(frozen=True)
class NoClassDayPreview:
    """What adding a day without classes would do, for staff to confirm first."""

    day: date
    reason: str
    sessions: list[ClassSession]  # with ``class_type`` and ``room``, in time order
    bookings: int  # confirmed places that would be cancelled (their members told)


def _checked_day(day: date | None, reason: str) -> tuple[date, str]:
    cleaned = _text(reason, class_sessions.REASON_MAX)
    if day is None or cleaned is None or day < clock.today():
        raise ClassError("no_class_day_invalid")
    return day, cleaned


def _sessions_on(day: date) -> QuerySet[ClassSession]:
    """The day's scheduled sessions that have not started: the ones a no-class day ends."""
    start, end = clock.day_bounds(day)
    return ClassSession.filter(
        status=SessionStatus.SCHEDULED, starts_at__gte=max(start, clock.now()), starts_at__lt=end
    )


async def no_class_day_preview(*, day: date | None, reason: str) -> NoClassDayPreview:
    """The sessions and bookings a day without classes would cancel; nothing is saved."""
    day, cleaned = _checked_day(day, reason)
    if await NoClassDay.exists(day=day):
        raise ClassError("no_class_day_invalid")
    found = await _sessions_on(day).select_related("class_type", "room").order_by("starts_at")
    bookings = await Booking.filter(
        slot_id__in=[s.slot_id for s in found], status=BookingStatus.CONFIRMED
    ).count()
    return NoClassDayPreview(day, cleaned, found, bookings)


async def add_no_class_day(*, actor_id: int, day: date | None, reason: str) -> int:
    """No classes that day: its scheduled sessions are cancelled and members told why.

    Returns the bookings cancelled.
    """
    day, cleaned = _checked_day(day, reason)
    try:
        async with after_commit.transaction():  # members' messages go out after the commit
            row = await NoClassDay.create(day=day, reason=cleaned)
            cancelled = 0
            for session in await _sessions_on(day):
                cancelled += await class_sessions.cancel_locked(
                    session, actor_id=actor_id, reason=cleaned, action="no_class_day"
                )
            await audit.record(actor_id=actor_id, entity="no_class_day", entity_id=row.id,
                               action="create", detail={"day": day.isoformat(),
                                                        "reason": cleaned})  # fmt: skip
    except IntegrityError:
        raise ClassError("no_class_day_invalid") from None
    return cancelled


async def remove_no_class_day(*, actor_id: int, no_class_day_id: int) -> None:
    """Classes may be held that day again; sessions already cancelled stay cancelled."""
    async with after_commit.transaction():
        if not await NoClassDay.filter(id=no_class_day_id).delete():
            raise ClassError("no_class_day_invalid")
        await audit.record(actor_id=actor_id, entity="no_class_day", entity_id=no_class_day_id,
                           action="delete")  # fmt: skip


CONFIRM_AHEAD = 3  # years past the holiday data that staff may confirm


async def confirm_holiday_year(*, actor_id: int, year: int) -> int:
    """Staff let classes run in a year whose official holidays are not in the data yet,
    having entered them as no-class days. Audited; returns the sessions made now."""
    first_unknown = holidays.last_known_year() + 1
    if not first_unknown <= year < first_unknown + CONFIRM_AHEAD:
        raise ClassError("holiday_year_not_unknown", year=year)
    try:
        async with after_commit.transaction():
            await HolidayYear.create(year=year, confirmed_by_id=actor_id)
            await audit.record(
                actor_id=actor_id,
                entity="holiday_year",
                entity_id=year,
                action="confirm",
                to_state="confirmed",
            )
    except IntegrityError:
        raise ClassError("holiday_year_confirmed", year=year) from None
    return await class_sessions.generate()
