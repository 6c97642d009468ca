"""The opening-time rush against real server processes: the last place goes to exactly one.

PostgreSQL: several web processes at once. SQLite: the web server and a worker
process writing at the same time; nobody may see "database is locked".
"""

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest
from arq import create_pool
from arq.connections import RedisSettings

from palace.models import Booking, BookingStatus, Closure, Member, Slot
from palace.services.booking import bookings
from palace.services.core import clock
from palace.settings import get_settings
from tests.conftest import BACKEND
from tests.helpers import PASSWORD, court, csrf_from, make_hall, make_member, make_members, slot_at
from tests.processes import web_server
from workers.main import QUEUE

JUST_TAKEN = "抱歉，这个名额刚刚被约走了"


@contextlib.asynccontextmanager
async def _member_client(base: str, member: Member) -> AsyncIterator[httpx.AsyncClient]:
    """A logged-in browser-like client whose CSRF token rides in a header, as htmx sends it."""
    # No keep-alive: uvicorn drops idle connections after 5 s, and a POST on a dropped
    # connection fails on the client side before the server ever sees it.
    limits = httpx.Limits(max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client:
        token = csrf_from((await client.get("/login")).text)
        data = {"login": member.card_no, "password": PASSWORD, "csrf_token": token}
        response = await client.post("/login", data=data, headers={"Origin": base})
        assert response.status_code == 303, response.text
        token = csrf_from((await client.get("/book")).text)
        client.headers.update({"X-CSRF-Token": token, "Origin": base, "HX-Request": "true"})
        yield client


async def _rush(bases: list[str], members: list[Member], resource: int) -> list[httpx.Response]:
    form = {"resource": str(resource), "start": str(int(slot_at().timestamp()))}
    async with contextlib.AsyncExitStack() as stack:
        clients = await asyncio.gather(
            *(
                stack.enter_async_context(_member_client(bases[n % len(bases)], m))
                for n, m in enumerate(members)
            )
        )
        return list(await asyncio.gather(*(c.post("/book/gym", data=form) for c in clients)))


async def _last_place_setup(capacity: int) -> tuple[int, list[Member]]:
    gym = await make_hall(code="gym", courts=1, capacity=capacity)
    resource = await court(gym)
    for _ in range(capacity - 1):
        holder = await make_member()
        await bookings.book(member_id=holder.id, resource_id=resource.id, starts_at=slot_at())
    return resource.id, await make_members(50)


def _assert_one_winner(responses: list[httpx.Response]) -> None:
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [409] * 49, statuses
    for response in responses:
        if response.status_code == 409:
            assert JUST_TAKEN in response.text
        assert "database is locked" not in response.text


@pytest.mark.skipif(BACKEND != "postgres", reason="several web processes need PostgreSQL")
async def test_fifty_members_on_three_web_processes_one_gets_the_last_place() -> None:
    resource, members = await _last_place_setup(capacity=3)
    with web_server() as a, web_server() as b, web_server() as c:
        responses = await _rush([a, b, c], members, resource)
    _assert_one_winner(responses)
    assert await Booking.filter(status=BookingStatus.CONFIRMED).count() == 3
    assert (await Slot.get(resource_id=resource)).taken == 3


async def _escaped_bookings(count: int) -> list[int]:
    """Bookings in another hall, each inside a closure that has not cancelled it yet."""
    hall = await make_hall(
        code="table-tennis", courts=8, max_active=count, max_minutes_per_day=30000
    )
    # One member per court: nobody holds two courts at the same hour (the clash rule).
    members = await make_members(8)
    made = []
    for n in range(count):
        resource = await court(hall, n % 8 + 1)
        start = slot_at(days=2 + n // 192, hour=n // 8 % 24)
        booking = await bookings.book(
            member_id=members[n % 8].id, resource_id=resource.id, starts_at=start
        )
        made.append(booking.id)
        await Closure.create(
            facility=hall,
            resource=resource,
            starts_at=start,
            ends_at=booking.ends_at,
            reason="维修",
        )
    return made


async def _until_swept_one(escaped: list[int]) -> None:
    for _ in range(3000):
        swept = Booking.filter(id__in=escaped, status=BookingStatus.CANCELLED_BY_PALACE)
        if await swept.exists():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the worker cancelled nothing within a minute")


@pytest.mark.skipif(BACKEND != "sqlite", reason="the SQLite file shared by web and worker")
async def test_sqlite_rush_while_a_worker_writes_no_database_is_locked() -> None:
    resource, members = await _last_place_setup(capacity=2)
    escaped = await _escaped_bookings(300)
    pool = await create_pool(RedisSettings.from_dsn(get_settings().redis_url))
    await pool.enqueue_job("sweep_closures", _queue_name=QUEUE, _job_id="rush-sweep")
    await pool.aclose()
    with web_server() as base:
        async with contextlib.AsyncExitStack() as stack:
            clients = await asyncio.gather(
                *(stack.enter_async_context(_member_client(base, m)) for m in members)
            )
            worker = await asyncio.create_subprocess_exec(
                *(sys.executable, "-m", "palace", "worker", "--burst"),
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
            )
            await _until_swept_one(escaped)  # the worker is writing: now the rush
            # The worker stamps cancelled_at with the real clock, not this process's one.
            rush_started = datetime.now(UTC)
            form = {"resource": str(resource), "start": str(int(slot_at().timestamp()))}
            responses = await asyncio.gather(*(c.post("/book/gym", data=form) for c in clients))
            rush_ended = datetime.now(UTC)
            output = (await asyncio.wait_for(worker.communicate(), 120))[0].decode()
    _assert_one_winner(list(responses))
    assert worker.returncode == 0, output
    assert "locked" not in output
    swept = await Booking.filter(id__in=escaped).values_list("status", "cancelled_at")
    assert {status for status, _ in swept} == {BookingStatus.CANCELLED_BY_PALACE}
    # The worker was still cancelling while the rush was on: both wrote at once.
    assert max(clock.utc(at) for _, at in swept) > rush_started
    assert min(clock.utc(at) for _, at in swept) < rush_ended
    assert (await Slot.get(resource_id=resource)).taken == 2
