"""A real burst worker runs the closure sweep: a booking that raced a closure is cancelled."""

import uuid

from arq import create_pool
from arq.connections import RedisSettings

from palace.models import Booking, BookingStatus, Closure, Notification
from palace.services import bookings
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
    assert await Notification.filter(member_id=member.id, booking_id=booking.id).count() == 1


def test_the_sweep_runs_every_five_minutes() -> None:
    jobs = {job.name: job for job in WorkerSettings.cron_jobs}
    sweep = jobs["cron:sweep_closures"]
    assert sweep.minute == set(range(0, 60, 5))
    assert sweep.unique
