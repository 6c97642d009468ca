from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class FacilityKind(StrEnum):
    COURT = "court"  # one party per court per slot
    CAPACITY = "capacity"  # N people per slot, no instructor
    CLASSROOM = "classroom"  # class sessions planned by staff


class Facility(Model):
    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=40, unique=True)
    name_zh = fields.CharField(max_length=60)
    name_en = fields.CharField(max_length=60)
    kind = fields.CharEnumField(FacilityKind, max_length=12)
    sort_order = fields.IntField(default=0)
    active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    resources: fields.ReverseRelation["Resource"]
    opening_hours: fields.ReverseRelation["OpeningHours"]

    class Meta:
        table = "facilities"
        ordering = ("sort_order", "id")

    def name(self, lang: str) -> str:
        return self.name_zh if lang.startswith("zh") else self.name_en


class Resource(Model):
    """A bookable unit inside a facility: a court, a table, a room, a gym floor."""

    id = fields.IntField(primary_key=True)
    facility: fields.ForeignKeyRelation[Facility] = fields.ForeignKeyField(
        "models.Facility", related_name="resources", on_delete=fields.CASCADE
    )
    facility_id: int
    code = fields.CharField(max_length=40)
    name_zh = fields.CharField(max_length=60)
    name_en = fields.CharField(max_length=60)
    capacity = fields.IntField(default=1)
    sort_order = fields.IntField(default=0)
    active = fields.BooleanField(default=True)
    # A room where classes can be held: its bookings and class sessions hold it by
    # the quarter hour (RoomBlock), so the two never overlap.
    hosts_classes = fields.BooleanField(default=False, db_default=False)

    class Meta:
        table = "resources"
        unique_together = (("facility", "code"),)
        ordering = ("sort_order", "id")

    def name(self, lang: str) -> str:
        return self.name_zh if lang.startswith("zh") else self.name_en


class OpeningHours(Model):
    """One opening period on one weekday, in the palace's local time."""

    id = fields.IntField(primary_key=True)
    facility: fields.ForeignKeyRelation[Facility] = fields.ForeignKeyField(
        "models.Facility", related_name="opening_hours", on_delete=fields.CASCADE
    )
    weekday = fields.SmallIntField()  # 0 = Monday … 6 = Sunday
    # Minutes after local midnight; a time of day, not an instant.
    opens_minute = fields.SmallIntField()
    closes_minute = fields.SmallIntField()

    class Meta:
        table = "opening_hours"
        unique_together = (("facility", "weekday", "opens_minute"),)
        ordering = ("weekday", "opens_minute")

    @property
    def opens_at(self) -> str:
        return f"{self.opens_minute // 60:02d}:{self.opens_minute % 60:02d}"

    @property
    def closes_at(self) -> str:
        return f"{self.closes_minute // 60:02d}:{self.closes_minute % 60:02d}"


class BookingRules(Model):
    """How members may book one facility. Times of day are local minutes after midnight."""

    id = fields.IntField(primary_key=True)
    facility: fields.OneToOneRelation[Facility] = fields.OneToOneField(
        "models.Facility", related_name="rules", on_delete=fields.CASCADE
    )
    facility_id: int
    slot_minutes = fields.SmallIntField(default=60)
    days_ahead = fields.SmallIntField(default=7)
    opens_minute = fields.SmallIntField(default=8 * 60)
    max_active = fields.SmallIntField(default=2)
    max_minutes_per_day = fields.SmallIntField(default=120)
    cancel_cutoff_minutes = fields.IntField(default=120)
    partners_allowed = fields.BooleanField(default=False)
    # Waitlists: a freed place is booked for the first in line while the start is more
    # than this far away; closer than that it is offered for offer_minutes.
    waitlist_auto_minutes = fields.IntField(default=120, db_default=120)
    offer_minutes = fields.SmallIntField(default=20, db_default=20)
    # The front desk checks people in from this long before the start until this long
    # after it; whoever is not checked in by then is a no-show.
    checkin_before_minutes = fields.SmallIntField(default=30, db_default=30)
    checkin_after_minutes = fields.SmallIntField(default=15, db_default=15)
    # The desk may book a walk-in place for a named guest who is not a member.
    guests_allowed = fields.BooleanField(default=False, db_default=False)
    # The opening queue: members who ask for a day's places from shortly before it opens
    # until this many seconds after are served in a random order; 0 turns it off.
    queue_seconds = fields.SmallIntField(default=30, db_default=30)
    # The last local day already open for booking when the rules last changed: a day
    # that has opened stays open, whatever staff later do to days_ahead or opens_minute.
    open_through = fields.DateField(null=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "booking_rules"
