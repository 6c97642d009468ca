"""One after-commit path: work recorded inside a transaction, sent once it commits.

A service that needs background work writes what is due in the database (a held
place, an offer, a notification) and calls ``enqueue`` inside ``transaction()``; the
job goes to the queue only after the commit, with a deterministic id, so a job never
runs before the state it reads exists. If Redis is away the job is dropped with a
warning: every job's work is also found by a sweep from the database alone.

``enqueue`` outside any ``transaction()`` but inside a plain ``in_transaction()`` has
no commit to wait for that it can see: the job is left to the sweep.

Each job carries the id of the request that caused it (``request_id``, None when no
request did), so the worker's log lines for it can be found from the request's.
"""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from redis.exceptions import RedisError
from tortoise import connections
from tortoise.backends.base.client import TransactionalDBClient
from tortoise.transactions import in_transaction

from palace import queue, tracing

log = logging.getLogger("palace.jobs")


@dataclass(frozen=True)
class Job:
    function: str
    args: tuple[Any, ...]
    job_id: str
    request_id: str | None = None


_pending: ContextVar[list[Job] | None] = ContextVar("palace_after_commit", default=None)


@asynccontextmanager
async def transaction() -> AsyncIterator[None]:
    """``in_transaction()`` that sends the jobs recorded inside it after it commits.

    Nested, it is a savepoint whose jobs join the outer transaction's (and are
    forgotten if the savepoint rolls back).
    """
    pending = _pending.get()
    if pending is not None:
        mark = len(pending)
        try:
            async with in_transaction():
                yield
        except BaseException:
            del pending[mark:]
            raise
        return
    # Opened inside someone's plain in_transaction(): our exit is not their commit.
    foreign = _in_foreign_transaction()
    jobs: list[Job] = []
    token = _pending.set(jobs)
    try:
        async with in_transaction():
            yield
    finally:
        _pending.reset(token)
    if foreign:
        log.debug("inside a transaction of unknown extent: %d job(s) left to the sweep", len(jobs))
        return
    await send(jobs)


def _in_foreign_transaction() -> bool:
    return isinstance(connections.get("default"), TransactionalDBClient)


async def enqueue(function: str, *args: Any, job_id: str) -> None:
    """Send a job once the current transaction commits (now, outside any transaction)."""
    job = Job(function, args, job_id, tracing.current.get())
    pending = _pending.get()
    if pending is not None:
        pending.append(job)
    elif _in_foreign_transaction():
        log.debug("job %s inside a plain transaction: left to the sweep", job_id)
    else:
        await send([job])


async def send(jobs: list[Job]) -> None:
    """Put jobs on the queue; a Redis failure is logged, never raised (the sweep redoes it)."""
    pool = queue.get_queue()
    if pool is None or not jobs:
        return
    for job in dict.fromkeys(jobs):
        try:
            await pool.enqueue_job(
                job.function, *job.args, _job_id=job.job_id, request_id=job.request_id
            )
        except (RedisError, OSError) as error:
            log.warning("could not queue %s (%s); the sweep will do it", job.job_id, error)
            return
