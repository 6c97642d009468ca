from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from palace.models.children import Child
from palace.models.facilities import Facility, Resource
from palace.models.members import Member


class SlotKind(StrEnum):
    GRID = "grid"  # a court or gym hour on the hall's timetable, made on first use
    SESSION = "session"  # a class session, made when its schedule is generated


class Slot(Model):
    """One bookable period of one resource. ``taken`` counts confirmed places.

    The conditional UPDATE on ``taken`` is what enforces capacity, so two requests
    can never both take the last place. Grid rows are unique per resource and start
    (a partial unique index, migration 0003) and the database checks
    0 <= taken <= capacity (a CHECK constraint, migration 0003).
    """

    id = fields.IntField(primary_key=True)
    resource: fields.ForeignKeyRelation[Resource] = fields.ForeignKeyField(
        "models.Resource", related_name="slots", on_delete=fields.CASCADE
    )
    resource_id: int
    starts_at = fields.DatetimeField()
    ends_at = fields.DatetimeField()
    capacity = fields.IntField()
    taken = fields.IntField(default=0)
    # Freed places kept for the waitlist (a worker books or offers them). Members outside
    # the line see taken + held; only a waitlist promotion takes a held place.
    held = fields.IntField(default=0, db_default=0, db_index=True)
    kind = fields.CharEnumField(SlotKind, max_length=10, default=SlotKind.GRID, db_default="grid")
    # Set for class sessions, whose schedule has its own booking window and cut-off;
    # NULL means the facility's rules decide.
    opens_at = fields.DatetimeField(null=True)
    cancel_cutoff_minutes = fields.IntField(null=True)

    class Meta:
        table = "slots"


class BookingStatus(StrEnum):
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"  # by the member, before the cut-off
    LATE_CANCELLED = "late_cancelled"  # by the member, after the cut-off
    CANCELLED_BY_PALACE = "cancelled_by_palace"  # a closure or staff
    # Not checked in when the check-in window closed: the place was released and the
    # member got a strike. A booking someone checked in to stays CONFIRMED (the place
    # is still taken) with ``checked_in_at`` set; booking_states decides how it is shown.
    NO_SHOW = "no_show"


class BookingSource(StrEnum):
    """How the place was taken; every way goes through bookings.take()."""

    MEMBER = "member"  # the member, on the timetable
    DESK = "desk"  # the front desk, for a walk-in
    WAITLIST = "waitlist"  # a waitlist promotion or an accepted offer
    BALLOT = "ballot"  # a ballot drawing
    QUEUE = "queue"  # the opening queue, in its drawn order


class Booking(Model):
    id = fields.IntField(primary_key=True)
    slot: fields.ForeignKeyRelation[Slot] = fields.ForeignKeyField(
        "models.Slot", related_name="bookings", on_delete=fields.RESTRICT
    )
    member: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "models.Member", related_name="bookings", on_delete=fields.RESTRICT
    )
    # Copied from the slot so lists and quotas need no joins.
    facility: fields.ForeignKeyRelation[Facility] = fields.ForeignKeyField(
        "models.Facility", related_name="bookings", on_delete=fields.RESTRICT
    )
    resource: fields.ForeignKeyRelation[Resource] = fields.ForeignKeyField(
        "models.Resource", related_name="bookings", on_delete=fields.RESTRICT
    )
    slot_id: int
    member_id: int
    facility_id: int
    resource_id: int
    starts_at = fields.DatetimeField(db_index=True)
    ends_at = fields.DatetimeField()
    status = fields.CharEnumField(BookingStatus, max_length=24, default=BookingStatus.CONFIRMED)
    source = fields.CharEnumField(
        BookingSource, max_length=10, default=BookingSource.MEMBER, db_default="member"
    )
    # The slot id while confirmed, NULL once cancelled: unique with the member,
    # so one member holds at most one place in a slot however fast they click.
    live_slot = fields.IntField(null=True)
    # A place taken for one of the member's children (children's classes). Such a
    # booking keeps live_slot NULL and uses live_child_slot, unique with the child
    # (an index made in migration 0003; on SQLite made again in 0012 after 0006's table
    # rebuild lost both unique keys), so siblings can share a session.
    child: fields.ForeignKeyNullableRelation[Child] = fields.ForeignKeyField(
        "models.Child", related_name="bookings", on_delete=fields.RESTRICT, null=True
    )
    child_id: int | None
    live_child_slot = fields.IntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    cancelled_at = fields.DatetimeField(null=True)
    # Set when the reminder before the start was written, so it is written once.
    reminded_at = fields.DatetimeField(null=True)
    # When the front desk checked the booker in (for a walk-in: when it was booked).
    checked_in_at = fields.DatetimeField(null=True)
    # False for bookings made before the desk checked people in (the column's value for
    # rows that existed when it was added): they are never marked as no-shows.
    checkin_expected = fields.BooleanField(default=True, db_default=False)
    # A named guest booked at the desk where the hall allows guests. Such a booking is
    # held by the clerk who made it (``member``), keeps live_slot NULL like a child's, and
    # counts against no one's quota: a guest has no account of their own.
    guest_name = fields.CharField(max_length=40, null=True)

    partners: fields.ReverseRelation["BookingPartner"]

    class Meta:
        table = "bookings"
        unique_together = (("member", "live_slot"), ("child", "live_child_slot"))
        # Every foreign key a page or a release filters on, with the time it sorts by.
        indexes = (
            ("member_id", "starts_at"),
            ("facility_id", "starts_at"),
            ("resource_id", "starts_at"),
            ("slot_id", "status"),
        )
        ordering = ("starts_at", "id")


class BookingPartner(Model):
    """A member named on someone else's court booking (doubles)."""

    id = fields.IntField(primary_key=True)
    booking: fields.ForeignKeyRelation[Booking] = fields.ForeignKeyField(
        "models.Booking", related_name="partners", on_delete=fields.CASCADE
    )
    member: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "models.Member", related_name="partner_in", on_delete=fields.RESTRICT
    )
    # Partners are checked in with the booker or one by one.
    checked_in_at = fields.DatetimeField(null=True)

    class Meta:
        table = "booking_partners"
        unique_together = (("booking", "member"),)
        indexes = (("member_id",),)

    booking_id: int
    member_id: int
