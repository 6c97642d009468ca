"""Bearer tokens for the JSON API: a member's app, a desk clerk's device, a paired scanner."""

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from palace.models.members import Member


class TokenScope(StrEnum):
    MEMBER = "member"  # the member's own journeys: book, cancel, lines, inbox
    DESK = "desk"  # a desk clerk's device: check-in, the Now board, walk-ins
    CHECKIN = "checkin"  # a paired scanner: check-in and the Now board only


class ApiToken(Model):
    """One token, kept as its sha256: the token itself is shown once."""

    id = fields.IntField(primary_key=True)
    key = fields.CharField(max_length=64, unique=True)  # sha256 of the token, hex
    member: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "models.Member", related_name="api_tokens", on_delete=fields.CASCADE
    )
    member_id: int
    scope = fields.CharEnumField(TokenScope, max_length=10)
    label = fields.CharField(max_length=60, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    last_used_at = fields.DatetimeField(null=True)
    expires_at = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "api_tokens"
        indexes = (("member_id",),)
