"""The opening-time rush through the API, against real server processes: fifty members
ask at once for the last place and exactly one gets it (PostgreSQL: three web
processes; SQLite: one, sharing the file with this test)."""

import asyncio
import contextlib

import httpx

from palace.models import Booking, BookingStatus, Slot
from palace.services.booking import bookings
from tests.api.helpers import API, bearer, token_for
from tests.conftest import BACKEND
from tests.helpers import court, make_hall, make_member, make_members, slot_at
from tests.processes import web_server


async def test_fifty_api_requests_for_the_last_place_book_once() -> None:
    gym = await make_hall(code="gym", courts=1, capacity=3)
    resource = await court(gym)
    for _ in range(2):
        holder = await make_member()
        await bookings.book(member_id=holder.id, resource_id=resource.id, starts_at=slot_at())
    secrets = [await token_for(m) for m in await make_members(50)]
    body = {"resource_id": resource.id, "starts_at": slot_at().isoformat()}
    servers = 3 if BACKEND == "postgres" else 1
    with contextlib.ExitStack() as stack:
        bases = [stack.enter_context(web_server()) for _ in range(servers)]
        limits = httpx.Limits(max_keepalive_connections=0)
        async with httpx.AsyncClient(timeout=120, limits=limits) as client:
            answers = await asyncio.gather(*(
                client.post(f"{bases[n % len(bases)]}{API}/bookings", json=body,
                            headers=bearer(secret))
                for n, secret in enumerate(secrets)
            ))  # fmt: skip
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [201] + [409] * 49, statuses
    assert {a.json()["code"] for a in answers if a.status_code == 409} == {"slot_taken"}
    assert await Booking.filter(status=BookingStatus.CONFIRMED).count() == 3
    assert (await Slot.get(resource_id=resource.id)).taken == 3
