from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from palace.models.bookings import Slot
from palace.models.facilities import Resource
from palace.models.members import Member


class ClassLevel(StrEnum):
    ALL = "all"  # everyone welcome
    BEGINNER = "beginner"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"


class ClassType(Model):
    """A kind of class: yoga, aerobics, tai chi, the children's after-school club."""

    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=40, unique=True)
    name_zh = fields.CharField(max_length=60)
    name_en = fields.CharField(max_length=60)
    description_zh = fields.CharField(max_length=400, default="")
    description_en = fields.CharField(max_length=400, default="")
    level = fields.CharEnumField(ClassLevel, max_length=12, default=ClassLevel.ALL)
    for_children = fields.BooleanField(default=False)
    active = fields.BooleanField(default=True)

    class Meta:
        table = "class_types"
        ordering = ("id",)

    def name(self, lang: str) -> str:
        return self.name_zh if lang.startswith("zh") else self.name_en

    def description(self, lang: str) -> str:
        return self.description_zh if lang.startswith("zh") else self.description_en


class Instructor(Model):
    """Who teaches. Not necessarily a member: many are volunteers or hired coaches."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=40)
    active = fields.BooleanField(default=True)

    class Meta:
        table = "instructors"
        ordering = ("id",)


class Schedule(Model):
    """A weekly class: days, start and length, over a term, in a room, with an instructor.

    Sessions are generated from it ahead of time (services/classes/class_sessions). Times of
    day are local minutes after midnight, and ``days`` lists weekdays (0 = Monday).
    """

    id = fields.IntField(primary_key=True)
    class_type: fields.ForeignKeyRelation[ClassType] = fields.ForeignKeyField(
        "models.ClassType", related_name="schedules", on_delete=fields.RESTRICT
    )
    class_type_id: int
    room: fields.ForeignKeyRelation[Resource] = fields.ForeignKeyField(
        "models.Resource", related_name="schedules", on_delete=fields.RESTRICT
    )
    room_id: int
    instructor: fields.ForeignKeyRelation[Instructor] = fields.ForeignKeyField(
        "models.Instructor", related_name="schedules", on_delete=fields.RESTRICT
    )
    instructor_id: int
    days = fields.CharField(max_length=20)  # "1,3" = Tuesday and Thursday
    start_minute = fields.SmallIntField()
    minutes = fields.SmallIntField()
    term_start = fields.DateField()
    term_end = fields.DateField()
    capacity = fields.IntField()
    # Booking opens this many days before a session, at this local time of day.
    days_ahead = fields.SmallIntField(default=7)
    opens_minute = fields.SmallIntField(default=8 * 60)
    cancel_cutoff_minutes = fields.IntField(default=120)
    active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    sessions: fields.ReverseRelation["ClassSession"]

    class Meta:
        table = "class_schedules"
        indexes = (("room_id",),)
        ordering = ("id",)

    @property
    def weekdays(self) -> list[int]:
        return [int(day) for day in self.days.split(",") if day]


class SessionStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class ClassSession(Model):
    """One meeting of a schedule: its slot is where places are taken (bookings.take).

    Unique per schedule and start, so generating twice makes nothing twice. Instructor
    and room are copied from the schedule and may differ for one session.
    """

    id = fields.IntField(primary_key=True)
    schedule: fields.ForeignKeyRelation[Schedule] = fields.ForeignKeyField(
        "models.Schedule", related_name="sessions", on_delete=fields.RESTRICT
    )
    schedule_id: int
    class_type: fields.ForeignKeyRelation[ClassType] = fields.ForeignKeyField(
        "models.ClassType", related_name="sessions", on_delete=fields.RESTRICT
    )
    class_type_id: int
    room: fields.ForeignKeyRelation[Resource] = fields.ForeignKeyField(
        "models.Resource", related_name="class_sessions", on_delete=fields.RESTRICT
    )
    room_id: int
    instructor: fields.ForeignKeyRelation[Instructor] = fields.ForeignKeyField(
        "models.Instructor", related_name="sessions", on_delete=fields.RESTRICT
    )
    instructor_id: int
    slot: fields.OneToOneRelation[Slot] = fields.OneToOneField(
        "models.Slot", related_name="class_session", on_delete=fields.RESTRICT
    )
    slot_id: int
    starts_at = fields.DatetimeField()
    ends_at = fields.DatetimeField()
    status = fields.CharEnumField(SessionStatus, max_length=10, default=SessionStatus.SCHEDULED)
    cancel_reason = fields.CharField(max_length=200, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "class_sessions"
        unique_together = (("schedule", "starts_at"),)
        indexes = (("room_id", "starts_at"),)
        ordering = ("starts_at", "id")


class NoClassDay(Model):
    """A day the palace holds no classes (its own exception dates, beside public holidays)."""

    id = fields.IntField(primary_key=True)
    day = fields.DateField(unique=True)
    reason = fields.CharField(max_length=200)

    class Meta:
        table = "no_class_days"
        ordering = ("day",)


class HolidayYear(Model):
    """A year the holiday data does not cover yet, confirmed by staff for classes.

    Until a year is confirmed no session is made in it: nobody guesses its holidays.
    Confirming says the palace has entered that year's holidays as no-class days itself.
    """

    id = fields.IntField(primary_key=True)
    year = fields.SmallIntField(unique=True)
    confirmed_by: fields.ForeignKeyNullableRelation[Member] = fields.ForeignKeyField(
        "models.Member", related_name="holiday_years", on_delete=fields.SET_NULL, null=True
    )
    confirmed_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "holiday_years"
        ordering = ("year",)


class DayPart(StrEnum):
    MORNING = "morning"
    AFTERNOON = "afternoon"
    EVENING = "evening"


class ClassDemand(Model):
    """A member's "I want this class": the class type, the days and the time of day."""

    id = fields.IntField(primary_key=True)
    member: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "models.Member", related_name="class_demands", on_delete=fields.CASCADE
    )
    member_id: int
    class_type: fields.ForeignKeyRelation[ClassType] = fields.ForeignKeyField(
        "models.ClassType", related_name="demands", on_delete=fields.CASCADE
    )
    class_type_id: int
    days = fields.CharField(max_length=20)  # weekdays, 0 = Monday; "" = any day
    day_part = fields.CharEnumField(DayPart, max_length=10)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "class_demands"
        unique_together = (("member", "class_type"),)
