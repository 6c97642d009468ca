"""Opening queues served by real worker processes: the job waits for the gathering's
end, comes twice and books once, and the minute's sweep serves a queue whose job was
lost."""

import uuid
from datetime import timedelta

import pytest
from arq import create_pool
from arq.connections import ArqRedis, RedisSettings

from palace.models import Booking, BookingSource, Notification, OpeningQueue, QueueState
from palace.services.core import clock
from palace.services.fairness import ballot_verify, queue_views
from palace.services.fairness.queue_gate import GRACE
from palace.settings import get_settings
from tests.helpers import make_hall, make_members
from tests.processes import palace
from tests.queue_helpers import Clock, join, key, queue_day, queue_times
from workers.main import QUEUE, WorkerSettings


async def _pool() -> ArqRedis:
    return await create_pool(RedisSettings.from_dsn(get_settings().redis_url))


async def _gathered_queue(monkeypatch: pytest.MonkeyPatch, members: int) -> OpeningQueue:
    """A queue of two courts that ``members`` joined, its gathering ended a moment ago
    (in the worker's real time)."""
    hall = await make_hall(courts=2)
    times = await queue_times(hall)
    Clock(monkeypatch, times.opens_at - timedelta(minutes=3))
    day = queue_day()
    for member in await make_members(members):
        await join(hall, member.id, key(day, 19, "*"), key(day, 20, "*"))
    monkeypatch.undo()
    past = clock.now() - GRACE - timedelta(seconds=1)
    queue = await OpeningQueue.get(facility_id=hall.id)
    await OpeningQueue.filter(id=queue.id).update(gathers_until=past)
    # Its own job waits for the gathering end in the test's clock, days ahead in the
    # worker's: gone, so a burst worker stops once the queue is empty.
    pool = await _pool()
    await pool.delete(*[f"arq:job:{j.job_id}" for j in await pool.queued_jobs(queue_name=QUEUE)])
    await pool.delete(QUEUE)
    await pool.aclose()
    return queue


async def test_the_serving_job_is_queued_for_the_gathering_end(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hall = await make_hall()
    times = await queue_times(hall)
    Clock(monkeypatch, times.opens_at - timedelta(minutes=3))
    (member,) = await make_members(1)
    await join(hall, member.id, key(queue_day(), 19))
    pool = await _pool()
    jobs = await pool.queued_jobs(queue_name=QUEUE)
    await pool.aclose()
    serving = [j for j in jobs if j.function == "serve_opening_queue"]
    assert len(serving) == 1
    assert serving[0].score == int(times.serves_at.timestamp() * 1000)


async def test_a_real_worker_serves_once_however_often_the_job_comes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    queue = await _gathered_queue(monkeypatch, 6)
    pool = await _pool()
    for _ in range(2):
        await pool.enqueue_job(
            "serve_opening_queue", queue.id, _queue_name=QUEUE, _job_id=f"serve-{uuid.uuid4()}"
        )
    await pool.aclose()
    result = palace("worker", "--burst", timeout=120)
    assert result.returncode == 0, result.stderr
    served = await OpeningQueue.get(id=queue.id).select_related("facility")
    assert served.state == QueueState.DONE
    booked = await Booking.filter(source=BookingSource.QUEUE).values_list("member_id", flat=True)
    assert len(booked) == len(set(booked)) == 4  # two courts at two times
    assert await Notification.filter(kind="queue_lost").count() == 2
    assert ballot_verify.verify(queue_views.document(served)).matches


async def test_the_sweep_serves_a_queue_whose_job_was_lost(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    queue = await _gathered_queue(monkeypatch, 3)
    pool = await _pool()
    await pool.enqueue_job("queue_sweep", _queue_name=QUEUE, _job_id=f"sweep-{uuid.uuid4()}")
    await pool.aclose()
    result = palace("worker", "--burst", timeout=120)
    assert result.returncode == 0, result.stderr
    assert (await OpeningQueue.get(id=queue.id)).state == QueueState.DONE
    assert await Booking.filter(source=BookingSource.QUEUE).count() == 3


def test_the_queue_sweep_runs_every_minute_one_at_a_time() -> None:
    job = {j.name: j for j in WorkerSettings.cron_jobs}["cron:queue_sweep"]
    assert job.unique and job.minute is None and job.hour is None
