"""Whether an account may book now, as an administrator set it: the one place that
reads a member's status with the end date of an administrator's suspension.

A suspension with an end date ends by itself at that instant: nothing has to run for
the member to book again, and the status stored as "suspended" then counts as active.
(No-show suspensions are services/desk/strikes'; the booking core checks both.)
"""

from dataclasses import dataclass
from datetime import datetime

from palace.models import Member, MemberStatus
from palace.services.core import clock


@dataclass(frozen=True)
class AccountSuspension:
    """An administrator's suspension in force: why, and until when (None: until lifted)."""

    reason: str
    ends_at: datetime | None
    # Tells the banner (templates/_suspension.html) this from a no-show Suspension.
    kind: str = "account"


def account_suspension(member: Member, now: datetime | None = None) -> AccountSuspension | None:
    if member.status != MemberStatus.SUSPENDED:
        return None
    ends_at = clock.utc(member.suspension_ends_at) if member.suspension_ends_at else None
    if ends_at is not None and ends_at <= (now or clock.now()):
        return None
    return AccountSuspension(member.suspension_reason or "", ends_at)


def effective_status(member: Member, now: datetime | None = None) -> MemberStatus:
    """The status as it holds now: a suspension whose end has passed is over."""
    if member.status == MemberStatus.SUSPENDED and account_suspension(member, now) is None:
        return MemberStatus.ACTIVE
    return member.status


def may_book(member: Member, now: datetime | None = None) -> bool:
    """Not disabled and not suspended by an administrator (no-show suspensions aside)."""
    return effective_status(member, now) == MemberStatus.ACTIVE
