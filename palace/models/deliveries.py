"""Deliveries: one notification sent outside the app by one channel, attempt by attempt."""

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from palace.models.notifications import Notification


class DeliveryStatus(StrEnum):
    QUEUED = "queued"  # not tried yet (or held back by the member's quiet hours)
    SENT = "sent"
    FAILED = "failed"  # the last attempt failed; another is due at next_attempt_at
    GIVEN_UP = "given_up"  # no more attempts: staff see it and may retry


class Delivery(Model):
    """A notification on its way out by one channel (e-mail, webhook, SMS...).

    Unique per (notification, channel): a message is delivered once per channel, however
    many jobs, sweeps and workers try it. ``next_attempt_at`` is when the next attempt
    is due. An attempt in progress pushes it forward, so it doubles as a lease that a
    dead worker gives back by running out.
    """

    id = fields.IntField(primary_key=True)
    notification: fields.ForeignKeyRelation[Notification] = fields.ForeignKeyField(
        "models.Notification", related_name="deliveries", on_delete=fields.CASCADE
    )
    notification_id: int
    channel = fields.CharField(max_length=20)
    status = fields.CharEnumField(DeliveryStatus, max_length=10, default=DeliveryStatus.QUEUED)
    attempts = fields.SmallIntField(default=0)
    # The provider's own words for the last failure (SMTP reply, HTTP status and body...).
    last_error = fields.CharField(max_length=500, null=True)
    next_attempt_at = fields.DatetimeField(null=True)
    sent_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "deliveries"
        unique_together = (("notification", "channel"),)
        indexes = (("status", "next_attempt_at"),)
        ordering = ("-id",)
