from tortoise import fields
from tortoise.models import Model

from palace.models.members import Member


class CalendarFeed(Model):
    """A member's private calendar address. Deleting the row revokes it."""

    id = fields.IntField(primary_key=True)
    member: fields.OneToOneRelation[Member] = fields.OneToOneField(
        "models.Member", related_name="calendar_feed", on_delete=fields.CASCADE
    )
    token = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "calendar_feeds"
