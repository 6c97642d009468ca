"""A real burst worker marks a no-show: the place is released and one strike recorded."""

import uuid
from datetime import timedelta

from arq import create_pool
from arq.connections import RedisSettings

from palace.models import Booking, BookingStatus, Slot, Strike
from palace.services import bookings, clock
from palace.settings import get_settings
from tests.helpers import court, make_hall, make_member, slot_at
from tests.processes import palace
from workers.main import QUEUE, WorkerSettings


async def _run_job() -> int:
    pool = await create_pool(RedisSettings.from_dsn(get_settings().redis_url))
    job = await pool.enqueue_job("mark_no_shows", _queue_name=QUEUE, _job_id=f"ns-{uuid.uuid4()}")
    assert job is not None
    result = palace("worker", "--burst", timeout=60)
    assert result.returncode == 0, result.stderr
    info = await job.result_info()
    await pool.aclose()
    assert info is not None and info.success
    return int(info.result)


async def test_the_worker_marks_a_no_show_once() -> None:
    hall = await make_hall()
    member = await make_member()
    booking = await bookings.book(
        member_id=member.id, resource_id=(await court(hall)).id, starts_at=slot_at()
    )
    # As if it had started an hour ago and nobody came (the worker keeps the real time).
    now = clock.now()
    await Booking.filter(id=booking.id).update(
        starts_at=now - timedelta(hours=1), ends_at=now + timedelta(minutes=1)
    )
    assert await _run_job() == 1
    assert await _run_job() == 0
    stored = await Booking.get(id=booking.id)
    assert stored.status == BookingStatus.NO_SHOW
    assert (await Slot.get(id=booking.slot_id)).taken == 0
    assert await Strike.filter(member_id=member.id).count() == 1


def test_no_shows_are_marked_every_minute() -> None:
    jobs = {job.name: job for job in WorkerSettings.cron_jobs}
    job = jobs["cron:mark_no_shows"]
    assert job.unique and job.minute is None and job.second == 15
