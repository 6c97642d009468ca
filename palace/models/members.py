"""Members (accounts): who they are, their role, and whether they may book."""

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

# The longest name a member may have: the column, the check and the form all use it.
NAME_MAX = 40
BRANCH_MAX = 60


class Role(StrEnum):
    MEMBER = "member"
    DESK = "desk"
    STAFF = "staff"
    ADMIN = "admin"


# Who works a surface, said once for pages and services alike: an administrator may do
# all that planning staff and the front desk may.
STAFF_ROLES = (Role.STAFF, Role.ADMIN)
DESK_ROLES = (Role.DESK, Role.ADMIN)


class MemberStatus(StrEnum):
    ACTIVE = "active"
    # May log in and look, may not book (no-show penalties, unpaid dues...).
    SUSPENDED = "suspended"
    # May not log in at all.
    DISABLED = "disabled"


class Member(Model):
    id = fields.IntField(primary_key=True)
    card_no = fields.CharField(max_length=20, unique=True)
    name = fields.CharField(max_length=NAME_MAX)
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
    # An administrator's suspension (status SUSPENDED): why, told to the member, and when
    # it ends by itself (None: until lifted). services/accounts/account_status decides with both.
    suspension_reason = fields.CharField(max_length=200, null=True)
    suspension_ends_at = fields.DatetimeField(null=True)
    # Messages outside the app (services/messages/contacts): where e-mail goes, the
    # channels picked (comma-separated; empty: the palace's default), and quiet hours in
    # minutes after midnight, palace time (start > end crosses midnight).
    contact_email = fields.CharField(max_length=254, null=True)
    outbound_channels = fields.CharField(max_length=40, null=True)
    quiet_start = fields.SmallIntField(null=True)
    quiet_end = fields.SmallIntField(null=True)
    # The workplace union branch (基层工会), set by staff: ballots cap wins per branch.
    union_branch = fields.CharField(max_length=BRANCH_MAX, null=True)

    class Meta:
        table = "members"

    def __str__(self) -> str:
        return f"{self.name} ({self.card_no})"
