"""The worker says it is alive, so /healthz can tell when background work stopped."""

from typing import Any

from palace.services.core import health


async def heartbeat(ctx: dict[str, Any]) -> None:
    await health.record_worker_heartbeat()
