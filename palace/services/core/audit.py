"""The one audit trail: every state change of anything a member cares about."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from tortoise.expressions import Q, Subquery

from palace.models import (
    AuditEvent,
    Booking,
    ClassSession,
    Closure,
    Member,
    Schedule,
    WaitlistEntry,
)
from palace.services.core import clock


async def record(
    *,
    actor_id: int | None,
    entity: str,
    entity_id: int,
    action: str,
    from_state: str | None = None,
    to_state: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Write one event; call it inside the transaction that makes the change."""
    return await AuditEvent.create(
        actor_id=actor_id,
        entity=entity,
        entity_id=entity_id,
        action=action,
        from_state=from_state,
        to_state=to_state,
        detail=detail,
    )


async def history(*, entity: str, entity_id: int) -> list[AuditEvent]:
    return await AuditEvent.filter(entity=entity, entity_id=entity_id).order_by("id")


@dataclass(frozen=True)
class Entry:
    event: AuditEvent
    actor: Member | None  # None: the system (a worker), or an account since removed


@dataclass(frozen=True)
class Filters:
    """What staff look for; None: anything."""

    member_id: int | None = None  # by them, about them, or about their bookings
    facility_id: int | None = None  # the hall's rules, closures, bookings and classes
    kind: str | None = None  # an entity ("booking", "member", "facility", ...)
    day_from: date | None = None  # local days, inclusive
    day_to: date | None = None


def _about_member(member_id: int) -> Q:
    return (
        Q(actor_id=member_id)
        | Q(entity="member", entity_id=member_id)
        | Q(
            entity="booking",
            entity_id__in=Subquery(Booking.filter(member_id=member_id).values("id")),
        )
        | Q(
            entity="waitlist_entry",
            entity_id__in=Subquery(WaitlistEntry.filter(member_id=member_id).values("id")),
        )
    )


def _about_hall(facility_id: int) -> Q:
    sessions = ClassSession.filter(room__facility_id=facility_id).values("id")
    return (
        Q(entity="facility", entity_id=facility_id)
        | Q(
            entity="booking",
            entity_id__in=Subquery(Booking.filter(facility_id=facility_id).values("id")),
        )
        | Q(
            entity="closure",
            entity_id__in=Subquery(Closure.filter(facility_id=facility_id).values("id")),
        )
        | Q(entity="class_session", entity_id__in=Subquery(sessions))
        | Q(
            entity="class_schedule",
            entity_id__in=Subquery(Schedule.filter(room__facility_id=facility_id).values("id")),
        )
    )


def _where(filters: Filters) -> Q:
    where = Q()
    if filters.member_id is not None:
        where &= _about_member(filters.member_id)
    if filters.facility_id is not None:
        where &= _about_hall(filters.facility_id)
    if filters.kind:
        where &= Q(entity=filters.kind)
    if filters.day_from:
        where &= Q(at__gte=clock.day_bounds(filters.day_from)[0])
    if filters.day_to:
        where &= Q(at__lt=clock.day_bounds(filters.day_to)[1])
    return where


async def with_actors(events: list[AuditEvent]) -> list[Entry]:
    ids = {e.actor_id for e in events if e.actor_id is not None}
    actors = {m.id: m for m in await Member.filter(id__in=ids)}
    return [Entry(e, actors.get(e.actor_id) if e.actor_id is not None else None) for e in events]


async def search(*, filters: Filters, limit: int = 200) -> list[Entry]:
    """The newest events that match, with who made them."""
    events = await AuditEvent.filter(_where(filters)).order_by("-at", "-id").limit(limit)
    return await with_actors(events)
