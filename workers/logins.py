"""Nightly: forget log-in sessions that ended long ago."""

import logging
from typing import Any

from palace.services.accounts import logins

log = logging.getLogger("palace.worker")


async def purge_logins(ctx: dict[str, Any]) -> int:
    removed = await logins.purge()
    log.info("purged %d old log-in sessions", removed)
    return removed
