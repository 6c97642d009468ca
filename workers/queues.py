"""Opening-queue jobs: thin wrappers over services/fairness. Each may run more than once."""

import logging
from typing import Any

from palace.services.fairness import opening_queue, queue_serve

log = logging.getLogger("palace.worker")


async def serve_opening_queue(ctx: dict[str, Any], queue_id: int) -> int:
    """Queued for the instant the gathering ends (when the queue is made)."""
    return await queue_serve.serve(queue_id=queue_id)


async def queue_sweep(ctx: dict[str, Any]) -> dict[str, int]:
    """Every minute: make the queues of days about to open (their commitment published
    from the first join's minute), and serve any whose job was lost."""
    done = {"made": await opening_queue.ensure_queues(), "served": 0}
    for queue_id in await queue_serve.due():
        await queue_serve.serve(queue_id=queue_id)
        done["served"] += 1
    if any(done.values()):
        log.info("queue sweep: %s", done)
    return done
