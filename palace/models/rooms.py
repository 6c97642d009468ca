from tortoise import fields
from tortoise.models import Model

from palace.models.bookings import Booking, Slot
from palace.models.facilities import Resource


class RoomBlock(Model):
    """A quarter hour of a room held by a class session or by a room booking.

    Unique per room and quarter hour, so a class and a room booking can never hold
    the same room at the same time, however the requests race. A class session holds
    through its slot for as long as it is scheduled, a room booking through the booking
    while it is confirmed.
    """

    id = fields.IntField(primary_key=True)
    resource: fields.ForeignKeyRelation[Resource] = fields.ForeignKeyField(
        "models.Resource", related_name="holds", on_delete=fields.CASCADE
    )
    resource_id: int
    block_at = fields.DatetimeField()
    slot: fields.ForeignKeyNullableRelation[Slot] = fields.ForeignKeyField(
        "models.Slot", related_name="holds", on_delete=fields.CASCADE, null=True
    )
    slot_id: int | None
    booking: fields.ForeignKeyNullableRelation[Booking] = fields.ForeignKeyField(
        "models.Booking", related_name="holds", on_delete=fields.CASCADE, null=True
    )
    booking_id: int | None

    class Meta:
        table = "room_holds"  # its first name: renaming a table takes a migration
        unique_together = (("resource", "block_at"),)
        indexes = (("booking_id",), ("slot_id",))
