"""Nightly: forget log-in sessions that ended long ago."""

import logging
from typing import Any

from palace.services.accounts import sessions

log = logging.getLogger("palace.worker")


async def purge_sessions(ctx: dict[str, Any]) -> int:
    removed = await sessions.purge()
    log.info("purged %d old log-in sessions", removed)
    return removed
