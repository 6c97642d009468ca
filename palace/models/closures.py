from tortoise import fields
from tortoise.models import Model

from palace.models.facilities import Facility, Resource
from palace.models.members import Member


class Closure(Model):
    """A hall (resource NULL) or one court closed for a period, e.g. a tournament."""

    id = fields.IntField(primary_key=True)
    facility: fields.ForeignKeyRelation[Facility] = fields.ForeignKeyField(
        "models.Facility", related_name="closures", on_delete=fields.CASCADE
    )
    resource: fields.ForeignKeyNullableRelation[Resource] = fields.ForeignKeyField(
        "models.Resource", related_name="closures", on_delete=fields.CASCADE, null=True
    )
    facility_id: int
    resource_id: int | None
    starts_at = fields.DatetimeField()
    ends_at = fields.DatetimeField()
    reason = fields.CharField(max_length=200)
    created_by: fields.ForeignKeyNullableRelation[Member] = fields.ForeignKeyField(
        "models.Member", related_name="closures_made", on_delete=fields.SET_NULL, null=True
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "closures"
        indexes = (("facility_id", "starts_at"),)
        ordering = ("starts_at", "id")
