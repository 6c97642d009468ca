"""A real burst worker marks a no-show: the place is released and one strike recorded."""

import uuid
from datetime import UTC, datetime, timedelta

from arq import create_pool
from arq.connections import RedisSettings
from arq.cron import next_cron

from palace.models import Booking, BookingStatus, Slot, Strike
from palace.services.booking import bookings
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
    # As if it had started an hour ago and nobody came, in the worker's time: the real
    # clock (this process's clock may be moved, see PALACE_TEST_TIME_OF_DAY).
    now = datetime.now(UTC)
    await Booking.filter(id=booking.id).update(
        starts_at=now - timedelta(hours=1), ends_at=now + timedelta(minutes=1)
    )
    assert await _run_job() == 1
    assert await _run_job() == 0
    stored = await Booking.get(id=booking.id)
    assert stored.status == BookingStatus.NO_SHOW
    assert (await Slot.get(id=booking.slot_id)).taken == 0
    assert await Strike.filter(member_id=member.id).count() == 1


def test_a_no_show_is_marked_within_a_minute_of_check_in_closing() -> None:
    """The job's schedule as arq computes it, over a whole day: no gap over a minute,
    and one run at a time (a slow run is not overtaken by the next)."""
    job = {job.name: job for job in WorkerSettings.cron_jobs}["cron:mark_no_shows"]
    moment = datetime(2026, 11, 20)
    gaps = []
    while moment < datetime(2026, 11, 21):
        following = next_cron(
            moment, hour=job.hour, minute=job.minute, second=job.second, microsecond=0
        )
        gaps.append(following - moment)
        moment = following
    assert max(gaps) <= timedelta(minutes=1) and job.unique
