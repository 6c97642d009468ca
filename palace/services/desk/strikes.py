"""Strikes for no-shows, the suspensions they cause, and staff waivers.

A no-show records one strike (``record``, inside the no-show's transaction). When the
member's strikes within the period reach the threshold (default 2 in 30 days), booking
is suspended for a while (default 14 days): a Suspension row says why and until when,
and the member row carries the end so every page and the booking core see it at no
cost. While one suspension is in force a further strike does not start another.
Staff waive a strike with a reason; a suspension whose strikes no longer reach the
threshold is lifted at once.
"""

import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from palace.models import Booking, Member, Strike, Suspension
from palace.services.booking import booking_names
from palace.services.core import after_commit, audit, clock
from palace.services.core.errors import NotFound, ServiceError
from palace.services.messages import notifications
from palace.settings import get_settings

REASON_MAX = 200
SUSPENDED_KIND = "booking_suspended"
LIFTED_KIND = "suspension_lifted"


class StrikeError(ServiceError):
    pass


@dataclass(frozen=True)
class Policy:
    threshold: int  # strikes ...
    period_days: int  # ... within this many days ...
    suspension_days: int  # ... suspend booking for this long


def policy() -> Policy:
    settings = get_settings()
    return Policy(
        settings.strikes_to_suspend, settings.strike_period_days, settings.suspension_days
    )


async def _counted(member_id: int, until: datetime, period_days: int) -> int:
    """Strikes not waived in the period that ends at ``until`` (inclusive)."""
    return await Strike.filter(
        member_id=member_id,
        waived_at__isnull=True,
        at__gt=until - timedelta(days=period_days),
        at__lte=until,
    ).count()


async def record(booking: Booking) -> Strike:
    """A strike for a no-show and, at the threshold, a suspension; inside its transaction."""
    strike = await Strike.create(
        member_id=booking.member_id, booking_id=booking.id, at=clock.utc(booking.starts_at)
    )
    await _suspend_if_due(strike)
    return strike


async def _suspend_if_due(strike: Strike) -> Suspension | None:
    rule = policy()
    counted = await _counted(strike.member_id, strike.at, rule.period_days)
    if counted < rule.threshold:
        return None
    member = await Member.select_for_update().get(id=strike.member_id)
    now = clock.now()
    if member.booking_suspended_until and clock.utc(member.booking_suspended_until) > now:
        return None
    ends_at = now + timedelta(days=rule.suspension_days)
    suspension = await Suspension.create(
        member_id=member.id,
        strike_id=strike.id,
        starts_at=now,
        ends_at=ends_at,
        threshold=rule.threshold,
        period_days=rule.period_days,
    )
    await Member.filter(id=member.id).update(booking_suspended_until=ends_at)
    detail = {"until": ends_at.isoformat(), "strikes": counted, "days": rule.period_days}
    await audit.record(
        actor_id=None,
        entity="member",
        entity_id=member.id,
        action="booking_suspended",
        to_state="booking_suspended",
        detail={**detail, "suspension_id": suspension.id},
    )
    await notifications.notify(member_id=member.id, kind=SUSPENDED_KIND, detail=detail)
    return suspension


async def waive(*, actor_id: int, strike_id: int, reason: str) -> Strike:
    """Staff take back a strike; audited with the reason. Lifts what it no longer causes.

    StrikeError carries ``member_id`` for anything but an unknown strike.
    """
    strike = await Strike.get_or_none(id=strike_id)
    if strike is None:
        raise NotFound("unknown_strike")
    reason = _clean(reason)
    if not reason or len(reason) > REASON_MAX:
        code = "waive_reason_missing" if not reason else "waive_reason_too_long"
        raise StrikeError(code, member_id=strike.member_id, max=REASON_MAX)
    async with after_commit.transaction():
        changed = await Strike.filter(id=strike_id, waived_at__isnull=True).update(
            waived_at=clock.now(), waived_by_id=actor_id, waive_reason=reason
        )
        if not changed:
            raise StrikeError("strike_already_waived", member_id=strike.member_id)
        await audit.record(
            actor_id=actor_id,
            entity="booking",
            entity_id=strike.booking_id,
            action="strike_waived",
            detail={"reason": reason, "strike_id": strike.id},
        )
        await _lift_unfounded(strike.member_id, actor_id)
    return strike


def _clean(raw: str) -> str:
    """A reason as typed (prose: no NFKC), on one line, without control characters."""
    line = " ".join(raw.split())
    return "".join(c for c in line if not unicodedata.category(c).startswith("C"))


async def _lift_unfounded(member_id: int, actor_id: int) -> None:
    """Lift suspensions in force whose strikes no longer reach their threshold."""
    now = clock.now()
    member = await Member.select_for_update().get(id=member_id)
    in_force = await Suspension.filter(
        member_id=member_id, lifted_at__isnull=True, ends_at__gt=now
    ).select_related("strike")
    for suspension in in_force:
        counted = await _counted(member_id, suspension.strike.at, suspension.period_days)
        if counted >= suspension.threshold:
            continue
        await Suspension.filter(id=suspension.id).update(lifted_at=now, lifted_by_id=actor_id)
        await audit.record(
            actor_id=actor_id,
            entity="member",
            entity_id=member_id,
            action="suspension_lifted",
            from_state="booking_suspended",
            to_state="active",
            detail={"suspension_id": suspension.id},
        )
        await notifications.notify(member_id=member_id, kind=LIFTED_KIND)
    await _refresh_member(member, now)


async def _refresh_member(member: Member, now: datetime) -> None:
    """The member row carries the end of the latest suspension still in force."""
    latest = (
        await Suspension.filter(member_id=member.id, lifted_at__isnull=True, ends_at__gt=now)
        .order_by("-ends_at")
        .first()
    )
    until = latest.ends_at if latest else None
    await Member.filter(id=member.id).update(booking_suspended_until=until)


@dataclass(frozen=True)
class Standing:
    """A member's strikes and the suspension in force, for the desk and staff."""

    member: Member
    strikes: list[Strike]  # newest first, waived ones too, with ``booking__facility``
    suspension: Suspension | None
    policy: Policy
    names: dict[int, booking_names.Named]  # what each strike's booking was for, by id

    @property
    def counted(self) -> int:
        since = clock.now() - timedelta(days=self.policy.period_days)
        return sum(1 for s in self.strikes if s.waived_at is None and clock.utc(s.at) > since)


async def in_force(member: Member) -> Suspension | None:
    """The suspension a member is under now, read only when the member row says so."""
    until = member.booking_suspended_until
    if until is None or clock.utc(until) <= clock.now():
        return None
    return (
        await Suspension.filter(member_id=member.id, lifted_at__isnull=True)
        .order_by("-ends_at")
        .first()
    )


async def standing(*, member_id: int, limit: int = 50) -> Standing:
    member = await Member.get_or_none(id=member_id)
    if member is None:
        raise StrikeError("unknown_member")
    found = (
        await Strike.filter(member_id=member_id)
        .select_related("booking__facility", "booking__resource")
        .limit(limit)
    )
    named = await booking_names.names_of([s.booking for s in found])
    return Standing(member, found, await in_force(member), policy(), named)


@dataclass(frozen=True)
class Overview:
    suspended: list[Suspension]  # in force now, with ``member``
    recent: list[Strike]  # in the period, with ``member`` and ``booking__facility``
    policy: Policy
    names: dict[int, booking_names.Named]  # what each strike's booking was for, by id


async def overview(*, limit: int = 100) -> Overview:
    """For staff: who is suspended now, and the strikes of the period."""
    rule, now = policy(), clock.now()
    suspended = (
        await Suspension.filter(lifted_at__isnull=True, ends_at__gt=now)
        .select_related("member")
        .order_by("ends_at")
    )
    recent = (
        await Strike.filter(at__gt=now - timedelta(days=rule.period_days))
        .select_related("member", "booking__facility", "booking__resource")
        .limit(limit)
    )
    named = await booking_names.names_of([s.booking for s in recent])
    return Overview(suspended, recent, rule, named)
