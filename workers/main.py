"""arq worker settings; ``palace worker`` runs them with the configured Redis."""

import logging
from typing import Any, ClassVar

from arq import cron
from arq.typing import WorkerCoroutine

from palace.db import close_database, open_database
from palace.redis_client import close_redis, open_redis
from palace.services import health
from palace.settings import get_settings
from workers.closures import sweep_closures
from workers.heartbeat import heartbeat
from workers.sessions import purge_sessions

log = logging.getLogger("palace.worker")
QUEUE = "palace:queue"


async def startup(ctx: dict[str, Any]) -> None:
    settings = get_settings()
    await open_database(settings.database_url)
    await open_redis(settings.redis_url)
    await health.record_worker_heartbeat()
    log.info("Palace worker started")


async def shutdown(ctx: dict[str, Any]) -> None:
    await close_redis()
    await close_database()


class WorkerSettings:
    functions: ClassVar[list[WorkerCoroutine]] = [heartbeat, purge_sessions, sweep_closures]
    cron_jobs: ClassVar[list[Any]] = [
        cron(heartbeat, second=0, run_at_startup=False),
        # 03:30 in the server's clock; the exact hour does not matter, only once a day.
        cron(purge_sessions, hour=3, minute=30, second=0, unique=True),
        # A booking racing a closure is cancelled within minutes (invariant 3).
        cron(sweep_closures, minute=set(range(0, 60, 5)), second=30, unique=True),
    ]
    on_startup = startup
    on_shutdown = shutdown
    queue_name = QUEUE
    # Short timeouts: a dead worker's job is retried only after its in-progress key expires.
    job_timeout = 60
    max_tries = 5
