"""arq worker settings; ``palace worker`` runs them (``workers.runner``) on the configured Redis.

Every job runs inside ``traced``: its log lines carry the job's id and the id of the
request that queued it, and a job that fails is counted for /metrics.
"""

import dataclasses
import functools
import logging
from collections.abc import Callable, Coroutine
from typing import Any, ClassVar

from arq import cron, func
from arq.worker import Retry

from palace import metrics, queue, tracing
from palace.db import close_database, open_database
from palace.queue import QUEUE
from palace.redis_client import close_redis, open_redis
from palace.services.core import health
from palace.settings import get_settings
from workers.ballots import (
    ballot_second_round,
    ballot_sweep,
    close_ballots,
    draw_ballot,
    draw_ballots,
    release_ballots,
)
from workers.classes import generate_sessions
from workers.closures import sweep_closures
from workers.deliveries import send_delivery, sweep_deliveries
from workers.heartbeat import heartbeat
from workers.logins import purge_logins
from workers.noshows import mark_no_shows
from workers.queues import queue_sweep, serve_opening_queue
from workers.waitlists import promote, sweep

log = logging.getLogger("palace.worker")
__all__ = ["QUEUE", "WorkerSettings"]


async def startup(ctx: dict[str, Any]) -> None:
    settings = get_settings()
    await open_database(settings.database_url)
    await open_redis(settings.redis_url)
    queue.open_queue(settings.redis_url)
    await health.record_worker_heartbeat()
    log.info("Palace worker started")


async def shutdown(ctx: dict[str, Any]) -> None:
    await queue.close_queue()
    await close_redis()
    await close_database()


Job = Callable[..., Coroutine[Any, Any, Any]]


def traced(name: str, job: Job) -> Job:
    """The job, run with its ids in the log context and its failures counted.

    A job queued after a commit (``services.core.after_commit``) carries ``request_id``
    (possibly None): its queue time is when its work was recorded, which promotions
    measure their latency from. Jobs queued otherwise (cron, by hand) have neither.
    """

    @functools.wraps(job)
    async def run(ctx: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        after_commit = "request_id" in kwargs
        tracing.current.set(kwargs.pop("request_id", None))
        tracing.job.set(ctx.get("job_id"))
        tracing.job_queued_at.set(ctx.get("enqueue_time") if after_commit else None)
        # Worth a line at INFO when it links the job to a request; cron jobs run every minute.
        level = logging.INFO if tracing.current.get() else logging.DEBUG
        log.log(level, "job %s started", name)
        try:
            return await job(ctx, *args, **kwargs)
        except Retry:
            raise  # asked to run again later: not a failure
        except Exception:
            metrics.JOB_FAILURES.labels(name).inc()
            raise

    return run


def _traced_function(job: Any) -> Any:
    made = func(job)
    return dataclasses.replace(made, coroutine=traced(made.name, made.coroutine))


def _traced_cron(job: Any) -> Any:
    return dataclasses.replace(job, coroutine=traced(job.name, job.coroutine))


class WorkerSettings:
    functions: ClassVar[list[Any]] = [
        heartbeat,
        purge_logins,
        sweep_closures,
        mark_no_shows,
        generate_sessions,
        sweep,
        # Ids name the event ("promote:<slot>:release:<booking>"): nothing to keep after.
        func(promote, keep_result=0),
        sweep_deliveries,
        # Retried by the delivery's own count of attempts (services/messages/deliveries);
        # arq's bound is only a backstop above it, the sweep goes on after.
        func(send_delivery, keep_result=0, max_tries=20),
        close_ballots,
        release_ballots,
        ballot_sweep,
        # A ballot of thousands of entries takes a while; a killed draw resumes where it
        # stopped once the in-progress key expires.
        func(draw_ballots, timeout=600),
        func(draw_ballot, timeout=600),
        func(ballot_second_round, timeout=600),
        func(serve_opening_queue, timeout=600),
        func(queue_sweep, timeout=600),
    ]
    cron_jobs: ClassVar[list[Any]] = [
        cron(heartbeat, second=0, run_at_startup=False),
        # 03:30 in the server's clock; the exact hour does not matter, only once a day.
        cron(purge_logins, hour=3, minute=30, second=0, unique=True),
        # A booking racing a closure is cancelled within minutes (invariant 3).
        cron(sweep_closures, minute=set(range(0, 60, 5)), second=30, unique=True),
        # No-shows are marked within a minute of check-in closing; the job re-derives
        # everything from the database, so it is its own sweep.
        cron(mark_no_shows, second=15, unique=True),
        # Sessions of the coming four weeks; hourly, so a new day's sessions (and any a
        # lost run missed) appear within the hour. Also at start-up.
        cron(generate_sessions, minute=17, second=0, unique=True, run_at_startup=True),
        # Promotions, offers running out and reminders a lost job missed.
        cron(sweep, second=15, unique=True),
        # Deliveries due: lost jobs, retries after a pause, quiet hours just over.
        cron(sweep_deliveries, second=45, unique=True),
        # Ballots: windows closed, draws run and leftovers released within a minute of
        # their set times; the sweep makes new weeks' ballots and redoes a missed step.
        cron(close_ballots, second=5, unique=True),
        cron(draw_ballots, second=10, unique=True),
        cron(release_ballots, second=20, unique=True),
        cron(ballot_sweep, second=40, unique=True),
        # Opening queues: made as their joins open, served if their own job was lost.
        cron(queue_sweep, second=50, unique=True),
    ]
    on_startup = startup
    on_shutdown = shutdown
    queue_name = QUEUE
    # How often the queue is looked at: a promotion waits for this at most (arq's default
    # of 0.5 s alone would put the p99 of cancel → promotion near a second).
    poll_delay = 0.05
    # Short timeouts: a dead worker's job is retried only after its in-progress key expires.
    job_timeout = 60
    max_tries = 5


# Every job traced; the lists above stay as arq's own settings read.
WorkerSettings.functions = [_traced_function(job) for job in WorkerSettings.functions]
WorkerSettings.cron_jobs = [_traced_cron(job) for job in WorkerSettings.cron_jobs]
