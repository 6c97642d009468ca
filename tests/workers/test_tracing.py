"""A request's id follows it into the jobs it queues: the worker's log lines carry it."""

import json
import re

import httpx
import pytest

from palace.models import Booking, OutboundChoice
from tests.helpers import court, csrf_from, log_in, make_hall, make_member, slot_at
from tests.processes import palace


async def test_a_booking_requests_id_is_in_the_log_of_the_job_it_caused(
    client: httpx.AsyncClient,
) -> None:
    member = await make_member()
    # The member wants "booked" messages outside the app: booking queues a delivery job.
    await OutboundChoice.create(member_id=member.id, kind="booked")
    resource = await court(await make_hall())
    await log_in(client, member)
    page = await client.get("/book/badminton")
    data = {
        "resource": str(resource.id),
        "start": str(int(slot_at().timestamp())),
        "csrf_token": csrf_from(page.text),
    }
    headers = {
        "Origin": "http://testserver",
        "HX-Request": "true",
        "X-Request-ID": "booking-req-7e1d2c3b",
    }
    response = await client.post("/book/badminton", data=data, headers=headers)
    assert response.status_code == 200 and await Booking.all().count() == 1
    assert response.headers["x-request-id"] == "booking-req-7e1d2c3b"

    worker = palace(
        "worker", "--burst", env={"PALACE_LOG_FORMAT": "json", "PALACE_LOG_LEVEL": "INFO"}
    )
    assert worker.returncode == 0, worker.stderr
    lines = [json.loads(line) for line in worker.stderr.splitlines() if line.startswith("{")]
    ours = [entry for entry in lines if entry.get("request_id") == "booking-req-7e1d2c3b"]
    assert any(
        entry["logger"] == "palace.worker"
        and entry["message"] == "job deliver started"
        and re.fullmatch(r"deliver:\d+", entry["job"])
        for entry in ours
    ), worker.stderr
    # What the job itself logs carries the id too (the message written by the log channel).
    assert any(entry["logger"] == "palace.outbound" for entry in ours), worker.stderr
    # Lines of jobs no request caused carry none.
    assert all(entry.get("request_id") in (None, "booking-req-7e1d2c3b") for entry in lines), (
        worker.stderr
    )


def _value(name: str) -> float:
    from prometheus_client import REGISTRY

    return REGISTRY.get_sample_value(name) or 0.0


async def test_a_promotion_job_observes_the_time_since_the_place_was_held() -> None:
    from datetime import timedelta

    from palace.services.booking import bookings
    from palace.services.core import clock
    from palace.services.waitlist import waitlists
    from tests.helpers import make_members
    from workers.main import WorkerSettings

    holder, waiting = await make_members(2)
    resource = await court(await make_hall())
    booking = await bookings.book(
        member_id=holder.id, resource_id=resource.id, starts_at=slot_at(2)
    )
    await waitlists.join(member_id=waiting.id, slot_id=booking.slot_id, mode="auto")
    await bookings.cancel(member_id=holder.id, booking_id=booking.id)  # the place is held
    promote = {job.name: job for job in WorkerSettings.functions}["promote"]
    count, total = (_value(f"palace_promotion_latency_seconds_{s}") for s in ("count", "sum"))
    # Queued after the commit that held the place, 3 s ago.
    ctx = {
        "job_id": f"promote:{booking.slot_id}:x",
        "enqueue_time": clock.now() - timedelta(seconds=3),
    }
    assert await promote.coroutine(ctx, booking.slot_id, request_id=None) == 1
    assert _value("palace_promotion_latency_seconds_count") == count + 1
    assert _value("palace_promotion_latency_seconds_sum") - total >= 3


async def test_a_failing_job_is_counted(monkeypatch: pytest.MonkeyPatch) -> None:
    from prometheus_client import REGISTRY

    from palace.services.waitlist import promotions
    from workers.main import WorkerSettings

    def failures() -> float:
        return REGISTRY.get_sample_value("palace_job_failures_total", {"job": "promote"}) or 0.0

    async def broken(*, slot_id: int) -> int:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(promotions, "promote", broken)
    promote = {job.name: job for job in WorkerSettings.functions}["promote"]
    before = failures()
    with pytest.raises(RuntimeError):
        await promote.coroutine({"job_id": "promote:1:x"}, 1)
    assert failures() == before + 1
