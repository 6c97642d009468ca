"""scripts/api_day drives a member's whole day through the API of a real server."""

import asyncio
import subprocess
import sys
from pathlib import Path

from palace.models import Booking, BookingStatus, WaitlistEntry
from palace.services.booking import bookings
from tests.helpers import PASSWORD, court, make_hall, make_member, slot_at
from tests.processes import web_server

SCRIPT = Path(__file__).parents[2] / "scripts" / "api_day"


async def test_a_members_day_through_the_api_only() -> None:
    hall = await make_hall(courts=2)
    member, rival = await make_member(), await make_member()
    # A court someone else holds tomorrow: a line to join.
    taken = await bookings.book(member_id=rival.id, resource_id=(await court(hall, 2)).id,
                                starts_at=slot_at(days=1, hour=23))  # fmt: skip
    with web_server() as base:
        run = await asyncio.to_thread(
            subprocess.run, [sys.executable, str(SCRIPT), base, member.card_no, PASSWORD],
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    assert "logged out" in run.stdout
    mine = await Booking.filter(member_id=member.id)
    assert len(mine) == 1 and mine[0].status == BookingStatus.CANCELLED
    assert await WaitlistEntry.filter(member_id=member.id, slot_id=taken.slot_id).exists()
