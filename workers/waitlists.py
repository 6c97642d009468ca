"""Waitlist promotion and the minute sweep: thin wrappers over services.

Each job gets ids, re-reads the database in its own transaction and may run more
than once (a retry, two workers, the sweep doing the same work): the services make
a second run a no-op.
"""

import logging
from typing import Any

from palace.services.messages import reminders
from palace.services.waitlist import promotions

log = logging.getLogger("palace.worker")


async def promote(ctx: dict[str, Any], slot_id: int) -> int:
    return await promotions.promote(slot_id=slot_id)


async def sweep(ctx: dict[str, Any]) -> dict[str, int]:
    """Every minute: redo from the database whatever a lost job left undone."""
    done = {
        "promoted": await promotions.sweep(),
        "reminded": await reminders.send_due(),
    }
    if any(done.values()):
        log.info("sweep: %s", done)
    return done
