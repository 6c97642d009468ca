"""Run the worker until it is stopped; when Redis goes away, reconnect instead of dying.

arq's worker ends with a connection error when Redis restarts. Here a new worker is
started after a pause (1 s, doubling up to 30 s) until Redis answers again; the jobs
that were lost are found again by the sweep, from the database.
"""

import asyncio
import contextlib
import logging
import signal

from arq.connections import RedisSettings
from arq.worker import Worker, create_worker
from redis.exceptions import RedisError

from palace.settings import get_settings
from workers.main import WorkerSettings, shutdown

log = logging.getLogger("palace.worker")
# Connection refused or reset, timeouts, "LOADING" while Redis reads its data back.
REDIS_DOWN = (RedisError, OSError)
MAX_PAUSE = 30.0


def run(*, burst: bool = False) -> None:
    with contextlib.suppress(asyncio.CancelledError):
        asyncio.run(_run(burst))


async def _run(burst: bool) -> None:
    task = asyncio.current_task()
    assert task is not None
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, task.cancel)
    pause = 1.0
    while True:
        if await _one_worker(burst):
            return
        log.warning("lost Redis; trying again in %.0f s", pause)
        await asyncio.sleep(pause)
        pause = min(pause * 2, MAX_PAUSE)


async def _one_worker(burst: bool) -> bool:
    """Run one arq worker; True when it ended normally, False when Redis went away."""
    settings = RedisSettings.from_dsn(get_settings().redis_url)
    # Few, quick connection retries: the loop above does the waiting.
    settings.conn_retries = 1
    worker: Worker = create_worker(
        WorkerSettings,  # type: ignore[arg-type]
        redis_settings=settings,
        burst=burst,
        handle_signals=False,
    )
    try:
        await worker.main()
    except REDIS_DOWN as error:
        log.warning("worker stopped: %s: %s", type(error).__name__, error)
        await _close_after_loss(worker)
        return False
    except asyncio.CancelledError:
        # SIGTERM or Ctrl-C: close the database too (SQLite's thread would keep us alive).
        await _close_after_loss(worker)
        raise
    await worker.close()
    return True


async def _close_after_loss(worker: Worker) -> None:
    """arq's own close needs Redis; without it, close what we opened ourselves."""
    try:
        await worker.close()
    except REDIS_DOWN:
        with contextlib.suppress(Exception):
            await shutdown(worker.ctx)
        with contextlib.suppress(Exception):
            await worker.pool.close(close_connection_pool=True)
        worker._pool = None
