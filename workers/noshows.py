"""Every minute: release the places of no-shows and record their strikes."""

import logging
from typing import Any

from palace.services.desk import noshows

log = logging.getLogger("palace.worker")


async def mark_no_shows(ctx: dict[str, Any]) -> int:
    marked = await noshows.mark_no_shows()
    if marked:
        log.info("marked %d bookings as no-shows", marked)
    return marked
