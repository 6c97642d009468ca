from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class Role(StrEnum):
    MEMBER = "member"
    DESK = "desk"
    STAFF = "staff"
    ADMIN = "admin"


class MemberStatus(StrEnum):
    ACTIVE = "active"
    # May log in and look, may not book (no-show penalties, unpaid dues...).
    SUSPENDED = "suspended"
    # May not log in at all.
    DISABLED = "disabled"


class Member(Model):
    id = fields.IntField(primary_key=True)
    card_no = fields.CharField(max_length=20, unique=True)
    name = fields.CharField(max_length=40)
    phone = fields.CharField(max_length=20, unique=True)
    password_hash = fields.CharField(max_length=255)
    role = fields.CharEnumField(Role, max_length=10, default=Role.MEMBER)
    status = fields.CharEnumField(MemberStatus, max_length=10, default=MemberStatus.ACTIVE)
    language = fields.CharField(max_length=10, default="zh-CN")
    # Set when the front desk hands out a temporary password: the member picks their own
    # before anything else.
    must_change_password = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)
    # The end of the latest no-show suspension in force (the suspensions table keeps
    # each one and why); kept here so every page and the booking core read it with the
    # member row they already have.
    booking_suspended_until = fields.DatetimeField(null=True)

    class Meta:
        table = "members"

    def __str__(self) -> str:
        return f"{self.name} ({self.card_no})"
