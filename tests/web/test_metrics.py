"""/metrics: requests by route template, booking outcomes, the queue's depth; only for
allowed addresses or the token; counts added up over several web processes and a worker."""

import dataclasses
import re
import subprocess
import sys
from collections.abc import AsyncIterator

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from starlette.applications import Starlette

from palace.models import Booking
from palace.redis_client import get_redis
from palace.services.core import after_commit
from palace.settings import get_settings
from palace.web import metrics as metrics_page
from tests.helpers import court, csrf_from, log_in, make_hall, make_member, slot_at
from tests.processes import palace, web_server


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample in a scrape (0 when the series does not exist yet)."""
    for family in text_string_to_metric_families(text):
        for found in family.samples:
            if found.name == name and all(found.labels.get(k) == v for k, v in labels.items()):
                return float(found.value)
    return 0.0


async def scrape(client: httpx.AsyncClient) -> str:
    response = await client.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return response.text


async def book_on_the_timetable(client: httpx.AsyncClient, resource_id: int) -> httpx.Response:
    page = await client.get("/book/badminton")
    data = {
        "resource": str(resource_id),
        "start": str(int(slot_at().timestamp())),
        "csrf_token": csrf_from(page.text),
    }
    headers = {"Origin": "http://testserver", "HX-Request": "true"}
    return await client.post("/book/badminton", data=data, headers=headers)


TAKE = "palace_booking_outcomes_total"


async def test_a_booking_moves_the_booking_counter(client: httpx.AsyncClient) -> None:
    hall = await make_hall()
    resource = await court(hall)
    await log_in(client, await make_member())
    booked = {"operation": "take", "source": "member", "outcome": "booked"}
    taken = {**booked, "outcome": "slot_taken"}
    before = await scrape(client)
    response = await book_on_the_timetable(client, resource.id)
    assert response.status_code == 200 and await Booking.all().count() == 1
    after = await scrape(client)
    assert sample(after, TAKE, **booked) == sample(before, TAKE, **booked) + 1
    # Someone else taps the same court: refused, and counted by the refusal's code.
    client.cookies.clear()
    await log_in(client, await make_member())
    await book_on_the_timetable(client, resource.id)
    last = await scrape(client)
    assert sample(last, TAKE, **taken) == sample(after, TAKE, **taken) + 1
    assert sample(last, TAKE, **booked) == sample(after, TAKE, **booked)


async def test_a_cancel_is_counted_as_a_release(client: httpx.AsyncClient) -> None:
    from palace.services.booking import bookings

    member = await make_member()
    booking = await bookings.book(
        member_id=member.id, resource_id=(await court(await make_hall())).id, starts_at=slot_at()
    )
    labels = {"operation": "release", "source": "member", "outcome": "cancelled"}
    before = sample(await scrape(client), TAKE, **labels)
    await bookings.cancel(member_id=member.id, booking_id=booking.id)
    assert sample(await scrape(client), TAKE, **labels) == before + 1


async def test_requests_are_counted_by_route_template_and_status(
    client: httpx.AsyncClient,
) -> None:
    from palace.services.booking import bookings

    name = "palace_http_requests_total"
    route = {"method": "GET", "route": "/bookings/{booking_id}", "status": "200"}
    unmatched = {"method": "GET", "route": "unmatched", "status": "404"}
    member = await make_member()
    resource = await court(await make_hall())
    ids = [
        (await bookings.book(member_id=member.id, resource_id=resource.id, starts_at=at)).id
        for at in (slot_at(hour=10), slot_at(hour=12))
    ]
    await log_in(client, member)
    before = await scrape(client)
    for booking_id in ids:
        assert (await client.get(f"/bookings/{booking_id}")).status_code == 200
    await client.get("/no/such/page")
    after = await scrape(client)
    assert f"/bookings/{ids[0]}" not in after and "/no/such" not in after
    counted = sample(after, name, **route) - sample(before, name, **route)
    assert counted == 2
    assert sample(after, name, **unmatched) == sample(before, name, **unmatched) + 1


async def test_the_queue_depth_is_read_from_redis_when_scraped(client: httpx.AsyncClient) -> None:
    assert sample(await scrape(client), "palace_queue_depth") == 0
    await after_commit.enqueue("heartbeat", job_id="metrics-test-1")
    await after_commit.enqueue("heartbeat", job_id="metrics-test-2")
    assert await get_redis().zcard("palace:queue") == 2
    assert sample(await scrape(client), "palace_queue_depth") == 2


@pytest.fixture
async def outsider(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """A client from an address that is not the machine's own."""
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


async def test_an_unauthorised_scrape_is_refused(
    outsider: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    refused = await outsider.get("/metrics")
    assert refused.status_code == 403 and "palace_" not in refused.text
    settings = dataclasses.replace(get_settings(), metrics_token="s3cret-scrape-token")
    monkeypatch.setattr(metrics_page, "get_settings", lambda: settings)
    wrong = await outsider.get("/metrics", headers={"Authorization": "Bearer guess"})
    assert wrong.status_code == 403
    right = await outsider.get("/metrics", headers={"Authorization": "Bearer s3cret-scrape-token"})
    assert right.status_code == 200 and "palace_booking_outcomes" in right.text


async def test_an_allowed_network_may_scrape_without_a_token(
    outsider: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ipaddress

    allow = (ipaddress.ip_network("203.0.113.0/24"),)
    settings = dataclasses.replace(get_settings(), metrics_allow=allow)
    monkeypatch.setattr(metrics_page, "get_settings", lambda: settings)
    assert (await outsider.get("/metrics")).status_code == 200


def test_a_malformed_allow_list_is_a_configuration_error() -> None:
    code = (
        "import os; os.environ['PALACE_METRICS_ALLOW'] = '127.0.0.1, not-an-address';"
        "from palace.settings import get_settings, ConfigError\n"
        "try:\n    get_settings()\nexcept ConfigError as e:\n    print('refused:', e)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "refused: PALACE_METRICS_ALLOW" in out.stdout


def test_counts_add_up_over_web_processes_and_a_worker() -> None:
    """``palace serve --workers 2`` and a ``palace worker``: one scrape, every count."""
    command = [sys.executable, "-m", "palace", "serve", "--workers", "2"]
    with web_server(command=command) as base:
        for _ in range(30):
            # A new connection each time, so both web processes get some.
            assert httpx.get(f"{base}/login", timeout=10).status_code == 200
        failing = (
            "import asyncio; from arq import create_pool; from arq.connections import "
            "RedisSettings; from palace.settings import get_settings\n"
            "async def main():\n"
            "    pool = await create_pool(RedisSettings.from_dsn(get_settings().redis_url),"
            " default_queue_name='palace:queue')\n"
            "    await pool.enqueue_job('promote', 'not-a-slot', _job_id='metrics-fails',"
            " request_id=None)\n"
            "asyncio.run(main())"
        )
        subprocess.run([sys.executable, "-c", failing], check=True, timeout=60)
        worker = palace("worker", "--burst", timeout=120)
        assert worker.returncode == 0, worker.stderr
        text = httpx.get(f"{base}/metrics", timeout=10).text
    login = {"method": "GET", "route": "/login", "status": "200"}
    assert sample(text, "palace_http_requests_total", **login) == 30
    assert sample(text, "palace_job_failures_total", job="promote") == 1
    assert re.search(r"^palace_queue_depth 0\.0$", text, re.MULTILINE)
