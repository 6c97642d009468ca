"""The one audit trail: every state change of anything a member cares about."""

from typing import Any

from palace.models import AuditEvent


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
