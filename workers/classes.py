"""Every hour: make the class sessions of the coming weeks from the schedules."""

import logging
from typing import Any

from palace.services.classes import class_sessions

log = logging.getLogger("palace.worker")


async def generate_sessions(ctx: dict[str, Any]) -> int:
    made = await class_sessions.generate()
    if made:
        log.info("made %d class sessions", made)
    return made
