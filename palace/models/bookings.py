from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from palace.models.facilities import Facility, Resource
from palace.models.members import Member


class Slot(Model):
    """One bookable period of one resource. ``taken`` counts confirmed places.

    Rows are made on first use. The conditional UPDATE on ``taken`` is what
    enforces capacity, so two requests can never both take the last place.
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

    class Meta:
        table = "slots"
        unique_together = (("resource", "starts_at"),)


class BookingStatus(StrEnum):
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"  # by the member, before the cut-off
    LATE_CANCELLED = "late_cancelled"  # by the member, after the cut-off
    CANCELLED_BY_PALACE = "cancelled_by_palace"  # a closure or staff


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
    # The slot id while confirmed, NULL once cancelled: unique with the member,
    # so one member holds at most one place in a slot however fast they click.
    live_slot = fields.IntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    cancelled_at = fields.DatetimeField(null=True)

    partners: fields.ReverseRelation["BookingPartner"]

    class Meta:
        table = "bookings"
        unique_together = (("member", "live_slot"),)
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

    class Meta:
        table = "booking_partners"
        unique_together = (("booking", "member"),)

    booking_id: int
    member_id: int
