"""One after-commit path: work recorded inside a transaction, sent once it commits.

A service that needs background work writes what is due in the database (a held
place, an offer, a notification) and calls ``enqueue`` inside ``transaction()``; the
job goes to the queue only after the commit, with a deterministic id, so a job never
runs before the state it reads exists. If Redis is away the job is dropped with a
warning: every job's work is also found by a sweep from the database alone.

``transaction()`` is the only way code under ``palace/services`` and ``palace/demo``
opens a transaction (tests/services/core/test_transactions.py checks the source). A
transaction opened some other way could not tell us when it commits, so a job recorded
inside one would wait for the sweep: that is refused with ``ForeignTransaction``
instead of happening quietly.

Each job carries the id of the request that caused it (``request_id``, None when no
request did), so the worker's log lines for it can be found from the request's.
"""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from redis.exceptions import RedisError
from tortoise import connections
from tortoise.backends.base.client import TransactionalDBClient
from tortoise.transactions import in_transaction

from palace import queue, tracing

log = logging.getLogger("palace.jobs")


class ForeignTransaction(RuntimeError):
    """A transaction was opened without ``transaction()``: its commit is out of sight."""


@dataclass(frozen=True)
class Job:
    function: str
    args: tuple[Any, ...]
    job_id: str
    request_id: str | None = None
    defer_until: datetime | None = None  # not run before then


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
    _refuse_foreign("a transaction")
    jobs: list[Job] = []
    token = _pending.set(jobs)
    try:
        async with in_transaction():
            yield
    finally:
        _pending.reset(token)
    await send(jobs)


def _refuse_foreign(what: str) -> None:
    # Our own transactions set _pending; a transactional connection without it was
    # opened by someone else, whose exit is not ours to wait for.
    if isinstance(connections.get("default"), TransactionalDBClient):
        raise ForeignTransaction(
            f"{what} inside a transaction not opened by after_commit.transaction()"
        )


async def enqueue(
    function: str, *args: Any, job_id: str, defer_until: datetime | None = None
) -> None:
    """Send a job once the current transaction commits (now, outside any transaction);
    with ``defer_until`` the worker runs it at that instant, not before."""
    job = Job(function, args, job_id, tracing.current.get(), defer_until)
    pending = _pending.get()
    if pending is not None:
        pending.append(job)
        return
    _refuse_foreign(f"job {job_id}")
    await send([job])


async def send(jobs: list[Job]) -> None:
    """Put jobs on the queue; a Redis failure is logged, never raised (the sweep redoes it)."""
    pool = queue.get_queue()
    if pool is None or not jobs:
        return
    for job in dict.fromkeys(jobs):
        try:
            await pool.enqueue_job(
                job.function,
                *job.args,
                _job_id=job.job_id,
                _defer_until=job.defer_until,
                request_id=job.request_id,
            )
        except (RedisError, OSError) as error:
            log.warning("could not queue %s (%s); the sweep will do it", job.job_id, error)
            return
