"""A real burst worker runs the closure sweep: a booking that raced a closure is cancelled."""

import uuid
from datetime import datetime, timedelta

from arq import create_pool
from arq.connections import RedisSettings
from arq.cron import next_cron

from palace.models import Booking, BookingStatus, Closure, Notification
from palace.services.booking import bookings
from palace.services.facilities.closures import CANCELLED_KIND
from palace.settings import get_settings
from tests.helpers import court, make_hall, make_member, slot_at
from tests.processes import palace
from workers.main import QUEUE, WorkerSettings


async def test_worker_sweep_cancels_a_booking_that_raced_a_closure() -> None:
    hall = await make_hall()
    member = await make_member()
    booking = await bookings.book(
        member_id=member.id, resource_id=(await court(hall)).id, starts_at=slot_at()
    )
    # Written as the closing transaction would see it if the booking committed just after.
    await Closure.create(
        facility=hall, starts_at=slot_at(hour=8), ends_at=slot_at(hour=18), reason="比赛"
    )
    pool = await create_pool(RedisSettings.from_dsn(get_settings().redis_url))
    job = await pool.enqueue_job(
        "sweep_closures", _queue_name=QUEUE, _job_id=f"sweep-{uuid.uuid4()}"
    )
    assert job is not None
    result = palace("worker", "--burst", timeout=60)
    assert result.returncode == 0, result.stderr
    info = await job.result_info()
    await pool.aclose()
    assert info is not None and info.success and info.result == 1
    assert (await Booking.get(id=booking.id)).status == BookingStatus.CANCELLED_BY_PALACE
    cancelled = Notification.filter(member_id=member.id, kind="booking_cancelled_by_palace")
    assert await cancelled.filter(booking_id=booking.id).count() == 1


async def test_sweeps_that_run_twice_cancel_and_notify_once() -> None:
    """Jobs may run more than once (two workers, a retry): the second sweep finds nothing."""
    hall = await make_hall()
    member = await make_member()
    booking = await bookings.book(
        member_id=member.id, resource_id=(await court(hall)).id, starts_at=slot_at()
    )
    await Closure.create(
        facility=hall, starts_at=slot_at(hour=8), ends_at=slot_at(hour=18), reason="比赛"
    )
    pool = await create_pool(RedisSettings.from_dsn(get_settings().redis_url))
    jobs = [
        await pool.enqueue_job("sweep_closures", _queue_name=QUEUE, _job_id=f"sweep-{n}")
        for n in (1, 2)
    ]
    result = palace("worker", "--burst", timeout=60)
    assert result.returncode == 0, result.stderr
    infos = [await job.result_info() for job in jobs if job is not None]
    await pool.aclose()
    assert sorted(info.result for info in infos if info is not None) == [0, 1]
    assert (await Booking.get(id=booking.id)).status == BookingStatus.CANCELLED_BY_PALACE
    assert await Notification.filter(member_id=member.id, kind=CANCELLED_KIND).count() == 1


def test_a_booking_that_raced_a_closure_is_swept_within_five_minutes() -> None:
    """The sweep's schedule as arq computes it, over a whole day: no gap over five minutes."""
    sweep = {job.name: job for job in WorkerSettings.cron_jobs}["cron:sweep_closures"]
    moment = datetime(2026, 11, 20)
    gaps = []
    while moment < datetime(2026, 11, 21):
        following = next_cron(moment, minute=sweep.minute, second=sweep.second)
        gaps.append(following - moment)
        moment = following
    assert max(gaps) <= timedelta(minutes=5)
    assert len(gaps) >= 24 * 12
