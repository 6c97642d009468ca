"""Cancel → promotion latency: a member cancels, the first in line is booked by a worker.

One ``palace worker`` process runs beside this one, on a scratch PostgreSQL database
and a Redis db of its own. For each of N full class places with one member waiting
("book me automatically"), this process cancels the booking through the booking core
(as the web process does: the promotion job is queued after the commit) and waits
until the waiting member's booking is there. Cancels go one at a time, so each
figure is the latency of one promotion, not a queue behind others.

    .venv/bin/python bench/promotion.py --promotions 200
"""

import argparse
import asyncio
import os
import signal
import statistics
import subprocess
import sys
import time
from datetime import timedelta

from bench import fixture
from bench.rush import DEFAULT_POSTGRES, _migrate
from bench.workspace import Workspace


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--promotions", type=int, default=200)
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES)
    parser.add_argument("--redis-url", default="", help="default: a free db of the local Redis")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    workspace = Workspace(args.postgres_url, args.redis_url)
    try:
        workspace.open()
        os.environ.update(workspace.env())
        return asyncio.run(_bench(args.promotions))
    except KeyboardInterrupt:
        print("\ninterrupted; cleaning up", file=sys.stderr)
        return 130
    finally:
        workspace.close()


async def _bench(count: int) -> int:
    from palace import queue
    from palace.db import close_database, open_database
    from palace.settings import get_settings

    _migrate()
    await open_database()
    queue.open_queue(get_settings().redis_url)
    worker = _start_worker()
    try:
        places = await _stage(count + 1)
        await _promote_one(*places[0])  # warm-up: imports, connections, first queries
        seen = [await _promote_one(*place) for place in places[1:]]
        print(_table(seen))
        return 0
    finally:
        worker.terminate()
        worker.wait(timeout=20)
        await queue.close_queue()
        await close_database()


def _start_worker() -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "palace", "worker"])


async def _stage(count: int) -> list[tuple[int, int, int]]:
    """``count`` full places (a class session each), one member waiting for each.

    Returns (holder's member id, holder's booking id, waiting member's id).
    """
    from palace.models import (
        BookingSource,
        Facility,
        FacilityKind,
        Resource,
        Slot,
        SlotKind,
    )
    from palace.services.booking import bookings
    from palace.services.core import clock
    from palace.services.facilities import rules
    from palace.services.waitlist import waitlists

    hall = await Facility.create(
        code="bench-yoga", name_zh="瑜伽室", name_en="Yoga room", kind=FacilityKind.CLASSROOM
    )
    await rules.default_rules(hall).save()
    room = await Resource.create(facility=hall, code="r1", name_zh="瑜伽室", name_en="Yoga room")
    start = clock.now() + timedelta(days=2)
    ids = await fixture.make_members(2 * count)
    places = []
    for n in range(count):
        slot = await Slot.create(
            resource=room,
            starts_at=start + timedelta(minutes=n),
            ends_at=start + timedelta(minutes=n + 60),
            capacity=1,
            kind=SlotKind.SESSION,
        )
        holder, waiting = ids[2 * n], ids[2 * n + 1]
        booking = await bookings.take(
            member_id=holder, slot_id=slot.id, actor_id=holder, source=BookingSource.MEMBER
        )
        await waitlists.join(member_id=waiting, slot_id=slot.id, mode="auto")
        places.append((holder, booking.id, waiting))
    return places


async def _promote_one(holder: int, booking_id: int, waiting: int) -> float:
    """Cancel, then wait until the member in line holds the place; seconds taken."""
    from palace.models import Booking, BookingStatus
    from palace.services.booking import releases

    started = time.perf_counter()
    await releases.cancel(member_id=holder, booking_id=booking_id)
    booked = Booking.filter(member_id=waiting, status=BookingStatus.CONFIRMED)
    while not await booked.exists():
        if time.perf_counter() - started > 30:
            raise RuntimeError("no promotion within 30 s: is the worker running?")
        await asyncio.sleep(0.002)
    return time.perf_counter() - started


def _table(seen: list[float]) -> str:
    ms = sorted(s * 1000 for s in seen)
    q = statistics.quantiles(ms, n=100, method="inclusive")
    rows = [
        ("promotions", f"{len(ms)}"),
        ("p50", f"{q[49]:.1f} ms"),
        ("p90", f"{q[89]:.1f} ms"),
        ("p99", f"{q[98]:.1f} ms"),
        ("max", f"{ms[-1]:.1f} ms"),
        ("mean", f"{statistics.fmean(ms):.1f} ms"),
    ]
    width = max(len(name) for name, _ in rows)
    lines = ["cancel → promoted booking visible (one worker, PostgreSQL)", ""]
    lines += [f"{name:<{width}}  {value:>10}" for name, value in rows]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
