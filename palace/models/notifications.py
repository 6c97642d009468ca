from typing import Any

from tortoise import fields
from tortoise.models import Model

from palace.models.members import Member


class Notification(Model):
    """Something a member should be told: the inbox shows it, a worker sends it outside."""

    id = fields.IntField(primary_key=True)
    member: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "models.Member", related_name="notifications", on_delete=fields.CASCADE
    )
    member_id: int
    kind = fields.CharField(max_length=40)
    booking_id = fields.IntField(null=True)
    detail: Any = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True)
    # When the outbound step was done; sent_via is the channel, NULL when the member
    # did not ask for this kind outside the app.
    sent_at = fields.DatetimeField(null=True)
    sent_via = fields.CharField(max_length=20, null=True)
    read_at = fields.DatetimeField(null=True)

    class Meta:
        table = "notifications"
        ordering = ("-created_at", "-id")
        indexes = (("member_id", "read_at"), ("sent_at", "created_at"))


class OutboundChoice(Model):
    """A kind of message the member also wants outside the app (SMS, e-mail...)."""

    id = fields.IntField(primary_key=True)
    member: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "models.Member", related_name="outbound_choices", on_delete=fields.CASCADE
    )
    member_id: int
    kind = fields.CharField(max_length=40)

    class Meta:
        table = "outbound_choices"
        unique_together = (("member", "kind"),)
