"""The demo palace's classes: the multi-purpose room, class types, instructors, schedules."""

from dataclasses import dataclass
from datetime import timedelta

from palace.models import (
    STAFF_ROLES,
    ClassLevel,
    ClassType,
    Instructor,
    Member,
    Resource,
    Schedule,
)
from palace.services.classes import schedules
from palace.services.core import clock
from palace.services.core.errors import ServiceError

ROOM = ("studio", "room")  # facility code, resource code


@dataclass(frozen=True)
class DemoClass:
    code: str
    name_zh: str
    name_en: str
    description_zh: str
    description_en: str
    level: ClassLevel = ClassLevel.ALL
    for_children: bool = False


CLASS_TYPES = [
    DemoClass("yoga", "瑜伽", "Yoga", "职工瑜伽班，舒展身心，适合零基础。",
              "The workers' yoga class: stretch and unwind; no experience needed.",
              ClassLevel.BEGINNER),
    DemoClass("aerobics", "健身操", "Aerobics", "有氧健身操，跟着音乐动起来。",
              "Aerobics to music."),
    DemoClass("taichi", "太极拳", "Tai chi", "二十四式太极拳。", "The 24-form tai chi."),
    DemoClass("after-school", "少儿托管", "After-school club",
              "放学后的少儿托管：作业辅导和游戏，适合 6 至 12 岁。",
              "After school: homework help and games, for ages 6 to 12.", for_children=True),
]  # fmt: skip
INSTRUCTORS = ["陈静", "王刚", "周敏"]


@dataclass(frozen=True)
class DemoSchedule:
    class_code: str
    instructor: str
    days: tuple[int, ...]
    start: str
    minutes: int
    capacity: int


SCHEDULES = [
    DemoSchedule("yoga", "陈静", (1, 3), "19:30", 60, 20),
    DemoSchedule("aerobics", "陈静", (0, 2, 4), "18:30", 60, 25),
    DemoSchedule("taichi", "王刚", (5,), "09:00", 60, 20),
    DemoSchedule("after-school", "周敏", (0, 1, 2, 3, 4), "16:30", 90, 15),
]
TERM_WEEKS = 16


async def seed_types(created: list[str]) -> None:
    """The room hosts classes; class types and instructors exist. Inside the seed's transaction."""
    room = await Resource.get_or_none(facility__code=ROOM[0], code=ROOM[1])
    if room is not None and not room.hosts_classes:
        await Resource.filter(id=room.id).update(hosts_classes=True)
        created.append("room: studio/room hosts classes")
    for spec in CLASS_TYPES:
        values = {k: v for k, v in spec.__dict__.items() if k != "code"}
        _, made = await ClassType.get_or_create(code=spec.code, defaults=values)
        if made:
            created.append(f"class type: {spec.code}")
    for name in INSTRUCTORS:
        if not await Instructor.exists(name=name):
            await Instructor.create(name=name)
            created.append(f"instructor: {name}")


async def seed_schedules(created: list[str], skipped: list[str]) -> None:
    """One weekly class per class type that has none, for a term starting today."""
    room = await Resource.get_or_none(facility__code=ROOM[0], code=ROOM[1])
    staff = await Member.filter(role__in=STAFF_ROLES).first()
    if room is None or staff is None:
        return
    for spec in SCHEDULES:
        class_type = await ClassType.get(code=spec.class_code)
        instructor = await Instructor.filter(name=spec.instructor).first()
        if instructor is None or await Schedule.exists(class_type_id=class_type.id):
            continue
        values = _form(spec, class_type, room, instructor)
        try:
            await schedules.create(actor_id=staff.id, values=values, skip_days=True)
        except ServiceError as error:
            skipped.append(f"schedule {spec.class_code} ({error.code})")
            continue
        created.append(f"schedule: {spec.class_code}")


def _form(
    spec: DemoSchedule, class_type: ClassType, room: Resource, instructor: Instructor
) -> dict[str, object]:
    today = clock.today()
    return {
        "class_type_id": str(class_type.id),
        "room_id": str(room.id),
        "instructor_id": str(instructor.id),
        "days": [str(d) for d in spec.days],
        "start": spec.start,
        "minutes": str(spec.minutes),
        "term_start": today.isoformat(),
        "term_end": (today + timedelta(weeks=TERM_WEEKS)).isoformat(),
        "capacity": str(spec.capacity),
        "days_ahead": "7",
        "opens_at": "08:00",
        "cutoff_hours": "2",
    }
