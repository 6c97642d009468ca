"""Hall set-up cached per process: a change made anywhere is seen at the next use."""

import asyncio
import os
import subprocess
import sys

import pytest
from tortoise.transactions import in_transaction

from palace.models import BookingRules, Facility
from palace.services.booking import slots, timetable
from palace.services.core.errors import ServiceError
from palace.services.facilities import rules, setup_cache
from tests.helpers import court, make_hall, slot_at

# Another process on the same database, as a second web process or a worker would be.
OTHER_PROCESS = """
import asyncio, sys
from tortoise import connections
from palace.db import close_database, open_database

async def main():
    await open_database()
    await connections.get("default").execute_script(sys.argv[1])
    await close_database()

asyncio.run(main())
"""


SHORTER_WINDOW = (
    "UPDATE booking_rules SET days_ahead = 3"
    " WHERE facility_id = (SELECT id FROM facilities WHERE code = 'badminton')"
)
LATER_OPENING = (
    "UPDATE opening_hours SET opens_minute = 720"
    " WHERE facility_id = (SELECT id FROM facilities WHERE code = 'badminton')"
)


def in_other_process(sql: str) -> None:
    subprocess.run([sys.executable, "-c", OTHER_PROCESS, sql], env=os.environ, check=True)


async def test_a_rules_change_made_by_another_process_is_seen_at_the_next_use() -> None:
    facility = await make_hall(days_ahead=7)
    assert (await rules.rules_for(facility)).days_ahead == 7
    in_other_process(SHORTER_WINDOW)
    assert (await rules.rules_for(facility)).days_ahead == 3


async def test_opening_hours_changed_elsewhere_change_the_grid() -> None:
    facility = await make_hall()
    resource = await court(facility)
    start = slot_at(days=1, hour=10)
    assert (await slots.grid_slot(resource_id=resource.id, starts_at=start)).id
    in_other_process(LATER_OPENING)
    with pytest.raises(slots.SlotError, match="unknown_slot"):
        await slots.grid_slot(resource_id=resource.id, starts_at=slot_at(days=2, hour=10))


async def test_moving_the_version_row_drops_everything_cached() -> None:
    facility = await make_hall(days_ahead=7)
    cached = await rules.rules_for(facility)
    cached.days_ahead = 99  # stands for a value this process read before a change
    assert (await rules.rules_for(facility)).days_ahead == 99
    in_other_process("UPDATE setup_version SET version = version + 1")
    assert (await rules.rules_for(facility)).days_ahead == 7


async def test_a_hall_closed_elsewhere_leaves_the_timetable() -> None:
    await make_hall(code="badminton")
    assert await timetable.bookable_facility("badminton")
    in_other_process("UPDATE facilities SET active = false WHERE code = 'badminton'")
    with pytest.raises(ServiceError, match="unknown_facility"):
        await timetable.bookable_facility("badminton")


async def test_one_request_reads_the_counter_once() -> None:
    facility = await make_hall(days_ahead=7)
    with setup_cache.request_scope():
        assert (await rules.rules_for(facility)).days_ahead == 7
        in_other_process(SHORTER_WINDOW)
        # The request goes on with what it started with.
        assert (await rules.rules_for(facility)).days_ahead == 7
    assert (await rules.rules_for(facility)).days_ahead == 3
    assert await Facility.exists(id=facility.id)


async def test_requests_arriving_together_load_once(monkeypatch: pytest.MonkeyPatch) -> None:
    facility = await make_hall(days_ahead=7)
    in_other_process("UPDATE setup_version SET version = version + 1")  # nothing cached
    loads: list[int] = []
    real = BookingRules.get_or_none

    def counted(*args: object, **kwargs: object) -> object:
        loads.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(BookingRules, "get_or_none", counted)
    found = await asyncio.gather(*(rules.rules_for(facility) for _ in range(20)))
    assert {r.days_ahead for r in found} == {7}
    assert len(loads) == 1


async def test_a_transaction_never_waits_for_another_requests_load() -> None:
    facility = await make_hall(days_ahead=7)
    in_other_process("UPDATE setup_version SET version = version + 1")

    async def in_a_transaction() -> int:
        async with in_transaction():
            return (await rules.rules_for(facility)).days_ahead

    outside = rules.rules_for(facility)
    found = await asyncio.wait_for(asyncio.gather(outside, in_a_transaction()), timeout=20)
    assert found[0].days_ahead == found[1] == 7
