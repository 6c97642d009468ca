"""Ballot draws by real worker processes: run twice, books once; killed mid-way, resumed."""

import asyncio
import os
import signal
import sqlite3
import uuid

from arq import create_pool
from arq.connections import ArqRedis, RedisSettings
from tortoise import connections
from tortoise.transactions import in_transaction

from palace.models import Ballot, BallotState, Booking, BookingSource, Member, Notification
from palace.services.fairness import ballot_draw, ballot_rounds, ballots, draw
from palace.settings import get_settings
from tests.conftest import BACKEND
from tests.fairness_helpers import close_now, enter, key, make_ballot
from tests.helpers import make_hall, make_members
from tests.processes import palace, start_worker
from workers.main import QUEUE, WorkerSettings


async def _pool() -> ArqRedis:
    return await create_pool(RedisSettings.from_dsn(get_settings().redis_url))


async def _closed_ballot(entrants: int) -> tuple[Ballot, list[Member]]:
    """Four courts at two times; everyone asks for any court at the first, then the second."""
    hall = await make_hall(courts=4)
    ballot = await make_ballot(hall, weekdays=(1, 2))
    members = await make_members(entrants)
    for member in members:
        await enter(ballot, member.id, ballots.any_court_key(key(ballot)),
                    ballots.any_court_key(key(ballot, 4)))  # fmt: skip
    return await close_now(ballot), members


async def _assert_drawn_once(ballot_id: int, winners: int) -> None:
    ballot = await Ballot.get(id=ballot_id)
    assert ballot.state == BallotState.DRAWN and ballot.seed and ballot.results
    booked = await Booking.filter(source=BookingSource.BALLOT).values_list("member_id", flat=True)
    assert len(booked) == len(set(booked)) == winners
    assert await Notification.filter(kind="ballot_won").count() == winners
    places = {str(p["key"]): int(p["places"]) for p in ballot.places}
    entrants = ballot_draw.published_entrants(ballot)
    assert ballot_rounds.first_round(ballot.seed, entrants, places).won == ballot.results["won"]


async def test_a_real_worker_draws_once_however_often_the_job_comes() -> None:
    ballot, _ = await _closed_ballot(10)
    pool = await _pool()
    for job_id in (f"draw-{uuid.uuid4()}", f"draw-{uuid.uuid4()}"):
        await pool.enqueue_job("draw_ballot", ballot.id, _queue_name=QUEUE, _job_id=job_id)
    await pool.enqueue_job("draw_ballots", _queue_name=QUEUE, _job_id=f"due-{uuid.uuid4()}")
    await pool.aclose()
    result = palace("worker", "--burst", timeout=120)
    assert result.returncode == 0, result.stderr
    await _assert_drawn_once(ballot.id, 8)
    # The second round came after the draw's commit, in the same burst.
    assert (await Ballot.get(id=ballot.id)).second_round_at is not None


def test_the_ballot_jobs_run_every_minute_one_at_a_time() -> None:
    crons = {job.name: job for job in WorkerSettings.cron_jobs}
    for name in ("close_ballots", "draw_ballots", "release_ballots", "ballot_sweep"):
        job = crons[f"cron:{name}"]
        assert job.unique and job.minute is None and job.hour is None, name


def _order(ballot: Ballot) -> list[str]:
    assert ballot.entry_hash
    seed = draw.seed(ballot.secret, ballot.entry_hash, ballot.beacon)
    return [e.pseudonym for e in draw.order(seed, ballot_draw.published_entrants(ballot))]


async def _lock_waiters() -> int:
    await connections.get("default").execute_query("SELECT pg_stat_clear_snapshot()")
    rows = await connections.get("default").execute_query_dict(
        "SELECT count(*) AS n FROM pg_stat_activity"
        " WHERE wait_event_type = 'Lock' AND datname = current_database()"
    )
    return int(rows[0]["n"])


async def _booked() -> int:
    return await Booking.filter(source=BookingSource.BALLOT).count()


async def _stuck_after(done: int) -> None:
    for _ in range(6000):  # a busy machine can take a while to start a process
        if await _booked() == done and (BACKEND != "postgres" or await _lock_waiters()):
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the worker never got stuck in the draw")


async def test_a_worker_killed_mid_draw_leaves_no_double_booking_and_a_rerun_finishes() -> None:
    ballot, members = await _closed_ballot(8)
    # The fourth in drawn order is locked (PostgreSQL: their row, which the booking core
    # locks; SQLite: the write lock, so the worker stops at its first booking).
    fourth = _order(ballot)[3]
    stuck = next(m for m in members if ballots.pseudonym(ballot.id, m.id) == fourth)
    done = 3 if BACKEND == "postgres" else 0
    pool = await _pool()
    await pool.enqueue_job("draw_ballot", ballot.id, _queue_name=QUEUE, _job_id="draw-killed")
    await pool.aclose()
    if BACKEND == "postgres":
        async with in_transaction():
            await Member.filter(id=stuck.id).select_for_update().first()
            worker = start_worker(redis_url=get_settings().redis_url, burst=True)
            try:
                await _stuck_after(done)
            finally:
                worker.send_signal(signal.SIGKILL)
                worker.wait(timeout=10)
    else:
        path = os.environ["PALACE_DATABASE_URL"].removeprefix("sqlite://")
        lock = sqlite3.connect(path, isolation_level=None)
        lock.execute("BEGIN IMMEDIATE")
        worker = start_worker(redis_url=get_settings().redis_url, burst=True)
        try:
            await asyncio.sleep(3)  # started, took the job, waits for the write lock
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=10)
            lock.execute("ROLLBACK")
            lock.close()
    assert await _booked() == done
    assert (await Ballot.get(id=ballot.id)).state == BallotState.CLOSED
    # The re-run (the job's retry, the minute's job, or this) books the rest, once each.
    assert await ballot_draw.run_draw(ballot_id=ballot.id) == 8
    await _assert_drawn_once(ballot.id, 8)
