from tortoise import fields
from tortoise.models import Model

from palace.models.members import Member


class Child(Model):
    """A member's child, for whom the member books places in children's classes."""

    id = fields.IntField(primary_key=True)
    parent: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "models.Member", related_name="children", on_delete=fields.CASCADE
    )
    parent_id: int
    name = fields.CharField(max_length=40)
    birth_year = fields.SmallIntField()
    active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "children"
        indexes = (("parent_id",),)
        ordering = ("birth_year", "id")
