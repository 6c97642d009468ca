from typing import Any

from tortoise import fields
from tortoise.models import Model

from palace.models.members import Member


class Notification(Model):
    """Something a member should be told. Delivery (sent_at) is a worker's job."""

    id = fields.IntField(primary_key=True)
    member: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "models.Member", related_name="notifications", on_delete=fields.CASCADE
    )
    kind = fields.CharField(max_length=40)
    booking_id = fields.IntField(null=True)
    detail: Any = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True)
    sent_at = fields.DatetimeField(null=True)
    read_at = fields.DatetimeField(null=True)

    class Meta:
        table = "notifications"
        ordering = ("-created_at", "-id")
