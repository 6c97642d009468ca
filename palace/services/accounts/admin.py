"""An administrator changes an account's role or status: read and checked, shown for
confirmation first (``preview``), then made (``apply``) with the reason, audited, and
the member told when their booking is suspended or the suspension lifted.

A suspension may have an end date: it ends by itself at the start of that day
(services/accounts/account_status reads it). Setting the status back to active lifts it.
"""

from dataclasses import dataclass
from datetime import date, datetime

from palace.models import Booking, BookingStatus, Member, MemberStatus, OutboundChoice, Role
from palace.services.accounts import account_status
from palace.services.booking import bookings
from palace.services.core import after_commit, audit, clock
from palace.services.core import text as texts
from palace.services.core.errors import AccountError, AccountNotFound, NotAllowed
from palace.services.messages import notifications

REASON_MAX = 200
FIELDS = ("role", "status")
SUSPENDED_KIND = "account_suspended"  # notification kinds: with an end date ...
SUSPENDED_OPEN_KIND = "account_suspended_open"  # ... and until lifted
LIFTED_KIND = "suspension_lifted"  # as when a no-show suspension is lifted
NO_SHOW_SUSPENDED_KIND = "booking_suspended"


@dataclass(frozen=True)
class Asked:
    """The change as the administrator asked for it (``until``: a suspension's last day
    is the day before)."""

    field: str
    value: str
    reason: str
    until: date | None = None


@dataclass(frozen=True)
class Change:
    """What the administrator asked for, checked, and what it will do."""

    member: Member
    field: str  # "role" or "status"
    old: Role | MemberStatus  # as it holds now (an ended suspension is active)
    new: Role | MemberStatus
    reason: str
    ends_at: datetime | None  # a suspension's end: the start of the chosen day
    cancels: int  # upcoming bookings that disabling the account cancels

    @property
    def lifts(self) -> bool:
        return self.old == MemberStatus.SUSPENDED and self.new == MemberStatus.ACTIVE


def _value(field: str, value: str) -> Role | MemberStatus:
    try:
        return Role(value) if field == "role" else MemberStatus(value)
    except ValueError:
        raise AccountError(f"unknown_{field}") from None


def _reason(raw: str) -> str:
    reason = texts.line(raw)
    if not reason:
        raise AccountError("invalid", fields={"reason": "change_reason_missing"})
    if len(reason) > REASON_MAX:
        raise AccountError("invalid", fields={"reason": "change_reason_too_long"}, max=REASON_MAX)
    return reason


def _ends_at(new: Role | MemberStatus, until: date | None) -> datetime | None:
    if new != MemberStatus.SUSPENDED or until is None:
        return None
    if until <= clock.today():
        raise AccountError("invalid", fields={"until": "suspension_end_invalid"})
    return clock.day_bounds(until)[0]


def _check_self(actor_id: int, member_id: int, new: Role | MemberStatus) -> None:
    if actor_id != member_id:
        return
    if isinstance(new, Role) and new != Role.ADMIN:
        raise NotAllowed("cannot_demote_self")
    if isinstance(new, MemberStatus) and new != MemberStatus.ACTIVE:
        raise NotAllowed("cannot_lock_self")


async def _upcoming(member_id: int) -> int:
    return await Booking.filter(
        member_id=member_id,
        guest_name__isnull=True,
        status=BookingStatus.CONFIRMED,
        starts_at__gt=clock.now(),
    ).count()


async def _read(member: Member, actor_id: int, asked: Asked) -> Change:
    field = asked.field
    if field not in FIELDS:
        raise AccountError("unknown_field")
    new = _value(field, asked.value)
    _check_self(actor_id, member.id, new)
    old = member.role if field == "role" else account_status.effective_status(member)
    ends_at = _ends_at(new, asked.until)
    stored_end = member.suspension_ends_at
    same_end = ends_at == (clock.utc(stored_end) if stored_end else None)
    if old == new and (new != MemberStatus.SUSPENDED or same_end):
        raise AccountError("account_unchanged")
    cancels = await _upcoming(member.id) if new == MemberStatus.DISABLED else 0
    return Change(member, field, old, new, _reason(asked.reason), ends_at, cancels)


async def preview(*, actor_id: int, member_id: int, asked: Asked) -> Change:
    """What the change would do; nothing is saved. AccountError/NotAllowed say why not."""
    member = await Member.get_or_none(id=member_id)
    if member is None:
        raise AccountNotFound("unknown_member")
    return await _read(member, actor_id, asked)


async def apply(*, actor_id: int, member_id: int, asked: Asked) -> Change:
    """Make the change (checked again under the member's lock), audited with the reason."""
    async with after_commit.transaction():
        member = await Member.select_for_update().get_or_none(id=member_id)
        if member is None:
            raise AccountNotFound("unknown_member")
        change = await _read(member, actor_id, asked)
        await _save(change)
        await _record(change, actor_id)
        if change.new == MemberStatus.DISABLED:
            # A disabled account keeps no places: they go back to everyone else.
            await bookings.release_upcoming(
                member_id=member_id, actor_id=actor_id, action="account_disabled"
            )
        await _tell(change)
    return change


async def _save(change: Change) -> None:
    member = change.member
    if change.field == "role":
        member.role = Role(change.new)
        await member.save(update_fields=["role"])
        return
    member.status = MemberStatus(change.new)
    suspended = change.new == MemberStatus.SUSPENDED
    member.suspension_reason = change.reason if suspended else None
    member.suspension_ends_at = change.ends_at if suspended else None
    await member.save(update_fields=["status", "suspension_reason", "suspension_ends_at"])


async def _record(change: Change, actor_id: int) -> None:
    detail: dict[str, object] = {"reason": change.reason}
    if change.ends_at is not None:
        detail["until"] = change.ends_at.isoformat()
    await audit.record(
        actor_id=actor_id,
        entity="member",
        entity_id=change.member.id,
        action=f"{change.field}_changed",
        from_state=change.old.value,
        to_state=change.new.value,
        detail=detail,
    )


async def _tell(change: Change) -> None:
    """The member learns of a suspension (why, until when) and of its lifting."""
    member_id = change.member.id
    if change.new == MemberStatus.SUSPENDED:
        detail: dict[str, object] = {"reason": change.reason}
        if change.ends_at is not None:
            detail["until"] = change.ends_at.isoformat()
        kind = SUSPENDED_KIND if change.ends_at else SUSPENDED_OPEN_KIND
        # Sent outside the app to whoever chose "Booking suspended" (the no-show kind).
        wanted = await OutboundChoice.exists(member_id=member_id, kind=NO_SHOW_SUSPENDED_KIND)
        await notifications.notify(member_id=member_id, kind=kind, detail=detail, wanted=wanted)
    elif change.lifts:
        await notifications.notify(member_id=member_id, kind=LIFTED_KIND)
