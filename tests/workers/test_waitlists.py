"""Promotion by real worker processes, through Redis outages, kills and a second worker.

Redis only carries hints: whatever happens to it or to a worker, the database decides
who gets a place, exactly once, and the sweep finds what a lost job left undone.
"""

import asyncio
import os
import signal
import sqlite3
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from typing import IO

import pytest
from arq import create_pool
from arq.connections import ArqRedis, RedisSettings
from tortoise import connections

from palace import queue
from palace.models import (
    Booking,
    BookingStatus,
    Member,
    Notification,
    Slot,
    WaitlistEntry,
    WaitStatus,
)
from palace.services.booking import bookings, releases
from palace.services.waitlist import promotions, waitlists
from palace.settings import get_settings
from tests.conftest import BACKEND
from tests.helpers import court, make_hall, make_members, slot_at
from tests.processes import PrivateRedis, palace, start_worker, wait_for
from workers.main import QUEUE


async def _lines(slots: int, waiting: int = 2) -> list[tuple[Slot, Member, list[Member]]]:
    """``slots`` full courts, each with members waiting in line (first in line first)."""
    hall = await make_hall(code=f"h{uuid.uuid4().hex[:8]}", courts=slots)
    made = []
    for n in range(1, slots + 1):
        holder, *line = await make_members(1 + waiting)
        booking = await bookings.book(
            member_id=holder.id, resource_id=(await court(hall, n)).id, starts_at=slot_at(days=2)
        )
        for member in line:
            await waitlists.join(member_id=member.id, slot_id=booking.slot_id, mode="auto")
        made.append((await Slot.get(id=booking.slot_id), holder, line))
    return made


async def _cancel(holder: Member) -> None:
    booking = await Booking.get(member_id=holder.id, status=BookingStatus.CONFIRMED)
    await releases.cancel(member_id=holder.id, booking_id=booking.id)


async def _assert_promoted_once(made: list[tuple[Slot, Member, list[Member]]]) -> None:
    for slot, _, line in made:
        confirmed = await Booking.filter(slot_id=slot.id, status=BookingStatus.CONFIRMED)
        assert [b.member_id for b in confirmed] == [line[0].id], slot.id
        fresh = await Slot.get(id=slot.id)
        assert (fresh.taken, fresh.held) == (1, 0)
        told = await Notification.filter(member_id=line[0].id, kind="waitlist_promoted").count()
        assert told == 1
        assert (await WaitlistEntry.get(member_id=line[1].id)).status == WaitStatus.WAITING


@pytest.fixture
def private_queue() -> Iterator[PrivateRedis]:
    """This process queues its jobs on a Redis of the test's own."""
    with PrivateRedis() as redis:
        queue.open_queue(redis.url)
        try:
            yield redis
        finally:
            queue.open_queue(get_settings().redis_url)


async def _pool(url: str) -> ArqRedis:
    return await create_pool(RedisSettings.from_dsn(url), default_queue_name=QUEUE)


async def test_a_cancel_while_redis_is_down_succeeds_and_one_sweep_promotes(
    private_queue: PrivateRedis,
) -> None:
    [(slot, holder, line)] = made = await _lines(1)
    private_queue.stop()
    await _cancel(holder)  # no Redis: the cancel still goes through
    assert (await Booking.get(member_id=holder.id)).status == BookingStatus.CANCELLED
    assert (await Slot.get(id=slot.id)).held == 1  # the place is kept for the line meanwhile
    private_queue.start()
    pool = await _pool(private_queue.url)
    assert await pool.zcard(QUEUE) == 0  # the job was lost with Redis
    sweep = await pool.enqueue_job("sweep", _job_id=f"sweep-{uuid.uuid4()}")
    await pool.aclose()
    assert sweep is not None
    result = palace("worker", "--burst", env={"PALACE_REDIS_URL": private_queue.url})
    assert result.returncode == 0, result.stderr
    await _assert_promoted_once(made)
    assert line[0].id != holder.id


async def test_a_cancel_queues_the_promotion_after_commit(private_queue: PrivateRedis) -> None:
    made = await _lines(1)
    await _cancel(made[0][1])
    pool = await _pool(private_queue.url)
    queued = [job.job_id for job in await pool.queued_jobs()]
    await pool.aclose()
    booking = await Booking.get(member_id=made[0][1].id)
    assert queued == [f"promote:{made[0][0].id}:release:{booking.id}"]
    result = palace("worker", "--burst", env={"PALACE_REDIS_URL": private_queue.url})
    assert result.returncode == 0, result.stderr
    await _assert_promoted_once(made)


async def test_two_workers_at_once_promote_each_place_exactly_once(
    private_queue: PrivateRedis,
) -> None:
    made = await _lines(8)
    await asyncio.gather(*(_cancel(holder) for _, holder, _ in made))
    pool = await _pool(private_queue.url)
    # The same work again under other ids, as a retry or the sweep would bring it.
    for slot, _, _ in made:
        await pool.enqueue_job("promote", slot.id, _job_id=f"promote:{slot.id}:again")
    await pool.enqueue_job("sweep", _job_id="sweep-now")
    await pool.aclose()
    workers = [start_worker(redis_url=private_queue.url, burst=True) for _ in range(2)]
    for worker in workers:
        assert worker.wait(timeout=120) == 0
    await _assert_promoted_once(made)


async def _blocked_inside_the_promotion(
    pool: ArqRedis, job_id: str, worker: "subprocess.Popen[str]"
) -> None:
    """Wait until the worker has taken the job and is stuck inside it on our lock."""
    for _ in range(6000):  # a busy machine can take minutes to start a process
        if await pool.exists(f"arq:in-progress:{job_id}") and await _waiting_on_a_lock():
            return
        assert worker.poll() is None, "the worker ended without being stuck in the job"
        await asyncio.sleep(0.05)
    raise AssertionError("the worker never reached the promotion")


async def _waiting_on_a_lock() -> bool:
    if BACKEND != "postgres":
        return True  # SQLite: the worker waits for the write lock we hold
    # This runs inside the transaction that holds the lock, and PostgreSQL keeps one
    # snapshot of pg_stat_activity per transaction: without clearing it, a first look
    # taken before the worker blocked would be all this loop ever sees.
    await connections.get("default").execute_query("SELECT pg_stat_clear_snapshot()")
    rows = await connections.get("default").execute_query_dict(
        "SELECT count(*) AS n FROM pg_stat_activity"
        " WHERE wait_event_type = 'Lock' AND datname = current_database()"
    )
    return bool(rows[0]["n"])


async def test_a_worker_killed_in_the_middle_of_a_promotion_loses_no_place(
    private_queue: PrivateRedis,
) -> None:
    [(slot, holder, line)] = made = await _lines(1)
    await _cancel(holder)
    job_id = f"promote:{slot.id}:release:{(await Booking.get(member_id=holder.id)).id}"
    pool = await _pool(private_queue.url)
    if not await pool.exists(f"arq:job:{job_id}"):
        # Queued after the commit, unless Redis was slow to answer on a busy machine;
        # this test is about the kill, so the job is put there by hand then.
        await pool.enqueue_job("promote", slot.id, _job_id=job_id)
    async with _held_lock(line[0]):
        worker = start_worker(redis_url=private_queue.url, burst=True)
        try:
            await _blocked_inside_the_promotion(pool, job_id, worker)
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=10)
    await pool.aclose()
    # Nothing the dead worker did was committed: the place is still held for the line.
    fresh = await Slot.get(id=slot.id)
    assert (fresh.taken, fresh.held) == (0, 1)
    assert not await Booking.filter(member_id=line[0].id).exists()
    # The sweep gives it; the dead job's retry (after its lock expires) finds nothing left.
    assert await promotions.sweep() == 1
    assert await promotions.promote(slot_id=slot.id) == 0
    await _assert_promoted_once(made)


class _held_lock:
    """Hold what a promotion must wait for: the member's row (PostgreSQL) or the
    database's write lock (SQLite, where only one transaction writes at a time)."""

    def __init__(self, member: Member) -> None:
        self.member = member
        self.sqlite: sqlite3.Connection | None = None
        self.tx: object = None

    async def __aenter__(self) -> None:
        if BACKEND == "postgres":
            from tortoise.transactions import in_transaction

            self.tx = in_transaction()
            await self.tx.__aenter__()  # type: ignore[attr-defined]
            await Member.filter(id=self.member.id).select_for_update().first()
        else:
            path = os.environ["PALACE_DATABASE_URL"].removeprefix("sqlite://")
            self.sqlite = sqlite3.connect(path, isolation_level=None)
            self.sqlite.execute("BEGIN IMMEDIATE")

    async def __aexit__(self, *exc: object) -> None:
        if self.tx is not None:
            await self.tx.__aexit__(None, None, None)  # type: ignore[attr-defined]
        if self.sqlite is not None:
            self.sqlite.execute("ROLLBACK")
            self.sqlite.close()


async def test_a_worker_keeps_working_after_redis_restarts(
    private_queue: PrivateRedis,
) -> None:
    log = tempfile.TemporaryFile("w+")  # noqa: SIM115 - read after the worker stops
    worker = start_worker(redis_url=private_queue.url, burst=False, log=log)
    try:
        pool = await _pool(private_queue.url)
        first = await pool.enqueue_job("heartbeat", _job_id="before")
        assert first is not None
        await first.result(timeout=60)
        await pool.aclose()
        private_queue.stop()
        # Redis stays away until the worker has noticed (arq alone would exit here).
        wait_for(lambda: "lost Redis" in _read(log), what="the worker to notice")
        private_queue.start()
        assert worker.poll() is None, "the worker died with Redis"
        made = await _lines(1)
        await _cancel(made[0][1])  # queued on the new Redis, run by the same worker
        pool = await _pool(private_queue.url)
        booking = await Booking.get(member_id=made[0][1].id)
        job_id = f"promote:{made[0][0].id}:release:{booking.id}"
        for _ in range(1200):
            if not await pool.exists(f"arq:job:{job_id}"):
                break
            await asyncio.sleep(0.05)
        await pool.aclose()
        await _assert_promoted_once(made)
        assert worker.poll() is None
    finally:
        worker.terminate()
        worker.wait(timeout=20)
        log.close()


def _read(log: IO[str]) -> str:
    log.seek(0)
    return log.read()
