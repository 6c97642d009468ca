from typing import Any

from tortoise import fields
from tortoise.models import Model


class AuditEvent(Model):
    """Who changed what, from which state to which, and when. Never updated."""

    id = fields.BigIntField(primary_key=True)
    at = fields.DatetimeField(auto_now_add=True)
    # No foreign key: the trail must outlive whatever it talks about.
    actor_id = fields.IntField(null=True)
    entity = fields.CharField(max_length=30)
    entity_id = fields.BigIntField()
    action = fields.CharField(max_length=40)
    from_state = fields.CharField(max_length=40, null=True)
    to_state = fields.CharField(max_length=40, null=True)
    detail: Any = fields.JSONField(null=True)

    class Meta:
        table = "audit_events"
        indexes = (("entity", "entity_id"),)
        ordering = ("id",)
