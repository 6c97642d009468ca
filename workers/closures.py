"""Every few minutes: cancel bookings that slipped into a closure while it was being made."""

import logging
from typing import Any

from palace.services.facilities import closures

log = logging.getLogger("palace.worker")


async def sweep_closures(ctx: dict[str, Any]) -> int:
    cancelled = await closures.sweep()
    if cancelled:
        log.warning("cancelled %d bookings that raced a closure", cancelled)
    return cancelled
