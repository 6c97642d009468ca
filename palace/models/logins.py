from tortoise import fields
from tortoise.models import Model

from palace.models.members import Member


class LoginSession(Model):
    """One logged-in device. The cookie carries the token, we keep only its hash."""

    id = fields.CharField(max_length=64, primary_key=True)  # sha256 of the token, hex
    member: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "models.Member", related_name="sessions", on_delete=fields.CASCADE
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    ended_at = fields.DatetimeField(null=True)

    class Meta:
        table = "login_sessions"
        indexes = (("member_id",),)
