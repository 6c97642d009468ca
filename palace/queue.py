"""The process's job queue (arq on Redis): where services send work after a commit.

Opened by the web process in its lifespan and by the worker at start-up. Made
without a ping, so a process starts while Redis is away; every enqueue connects
anew when it must. Redis only carries hints: losing a job delays it until the sweep.
"""

from arq.connections import ArqRedis
from redis.asyncio import ConnectionPool

QUEUE = "palace:queue"
# An enqueue waits at most this long for Redis; the member's request must not hang.
TIMEOUT_SECONDS = 2

_queue: ArqRedis | None = None


def open_queue(url: str) -> ArqRedis:
    global _queue
    pool = ConnectionPool.from_url(
        url, socket_connect_timeout=TIMEOUT_SECONDS, socket_timeout=TIMEOUT_SECONDS
    )
    _queue = ArqRedis(pool, default_queue_name=QUEUE)
    return _queue


async def close_queue() -> None:
    global _queue
    if _queue is not None:
        await _queue.aclose()
        _queue = None


def get_queue() -> ArqRedis | None:
    """The queue, or None in a process that has none (a command-line tool)."""
    return _queue
