"""A ballot of 5,000 entries drawn on PostgreSQL: the close, the draw (every winner booked
through the booking core), the second round and the check of the published file, timed.

A scratch database and Redis db of its own (bench/workspace.py). One hall of 8 courts
balloted every evening 18:00-22:00 (224 places a week); each member enters up to three
random choices, some for any court, a third also for any other time; weights from
earlier losses and union branches spread as a palace would have them.

    .venv/bin/python -m bench.ballot --entries 5000
"""

import argparse
import asyncio
import os
import random
import signal
import sys
import time
from datetime import timedelta

from bench import fixture
from bench.rush import DEFAULT_POSTGRES, _migrate
from bench.workspace import Workspace

COURTS = 8
EVENING = (18 * 60, 22 * 60)


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=16, help="the entries' random choices")
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
        return asyncio.run(_bench(args.entries, random.Random(args.seed)))
    except KeyboardInterrupt:
        print("\ninterrupted; cleaning up", file=sys.stderr)
        return 130
    finally:
        workspace.close()


async def _bench(count: int, rng: random.Random) -> int:
    from palace.db import close_database, open_database

    _migrate()
    await open_database()
    try:
        started = time.monotonic()
        ballot_id = await _stage(count, rng)
        print(f"staged {count} entries in {time.monotonic() - started:.1f} s")
        return await _draw(ballot_id)
    finally:
        await close_database()


async def _hall() -> object:
    from palace.models import (
        BallotRange,
        BallotSettings,
        Facility,
        FacilityKind,
        OpeningHours,
        Resource,
    )
    from palace.services.facilities import rules

    hall = await Facility.create(
        code="bench-ballot", name_zh="羽毛球馆", name_en="Badminton hall", kind=FacilityKind.COURT
    )
    await rules.default_rules(hall).save()
    for n in range(1, COURTS + 1):
        await Resource.create(facility=hall, code=f"c{n}", name_zh=f"{n}号场",
                              name_en=f"Court {n}", sort_order=n)  # fmt: skip
    for weekday in range(7):
        await OpeningHours.create(facility=hall, weekday=weekday, opens_minute=8 * 60,
                                  closes_minute=EVENING[1])  # fmt: skip
        await BallotRange.create(facility=hall, weekday=weekday, starts_minute=EVENING[0],
                                 ends_minute=EVENING[1])  # fmt: skip
    await BallotSettings.create(facility=hall, max_wins_per_branch_day=6)
    return await BallotSettings.get(facility=hall).select_related("facility")


async def _stage(count: int, rng: random.Random) -> int:
    """The ballot, open, with ``count`` entries (staged in bulk: the draw is measured)."""
    from palace.models import Ballot, BallotEntry, BallotWeight, Member
    from palace.services.core import clock
    from palace.services.fairness import ballot_setup, ballots

    settings = await _hall()
    week = ballot_setup.week_of(clock.today()) + timedelta(days=14)
    now = clock.now()
    times = ballot_setup.Timeline(now - timedelta(hours=1), now + timedelta(hours=1),
                                  now + timedelta(hours=1), now + timedelta(hours=2))  # fmt: skip
    await ballot_setup._make_ballot(settings, week, times)  # type: ignore[arg-type]
    ballot = await Ballot.get(week_start=week)
    keys = [str(p["key"]) for p in ballot.places]
    member_ids = await fixture.make_members(count)
    for n, member_id in enumerate(member_ids):
        if n % 5 == 0:
            await Member.filter(id=member_id).update(union_branch=f"branch-{n % 40}")
    hall_id = ballot.facility_id
    weights = [BallotWeight(member_id=m, facility_id=hall_id, losses=rng.choice([0, 0, 1, 2, 3]))
               for m in member_ids]  # fmt: skip
    await BallotWeight.bulk_create(weights, batch_size=500)
    entries = []
    for member_id in member_ids:
        picks = rng.sample(keys, rng.randint(1, ballots.MAX_CHOICES))
        choices = [ballots.any_court_key(k) if rng.random() < 0.4 else k for k in picks]
        entries.append(BallotEntry(ballot_id=ballot.id, member_id=member_id, live_member=member_id,
                                   choices=list(dict.fromkeys(choices)), entered_by_id=member_id,
                                   any_other_time=rng.random() < 0.3))  # fmt: skip
    await BallotEntry.bulk_create(entries, batch_size=500)
    past = clock.now() - timedelta(seconds=1)
    await Ballot.filter(id=ballot.id).update(closes_at=past, draw_at=past)
    return ballot.id


async def _draw(ballot_id: int) -> int:
    from palace.models import Booking, BookingSource
    from palace.services.fairness import ballot_draw, ballot_publish, ballot_verify, ballots

    timed: dict[str, float] = {}
    started = time.monotonic()
    assert await ballots.close(ballot_id=ballot_id)
    timed["close (pseudonyms, weights, entry list and hash)"] = time.monotonic() - started
    started = time.monotonic()
    won = await ballot_draw.run_draw(ballot_id=ballot_id)
    timed["draw (order, caps, bookings, weights, messages)"] = time.monotonic() - started
    started = time.monotonic()
    second = await ballot_draw.run_second_round(ballot_id=ballot_id)
    timed["second round"] = time.monotonic() - started
    started = time.monotonic()
    doc = await ballot_publish.published(ballot_id=ballot_id)
    verdict = ballot_verify.verify(doc)
    timed["verify the published file"] = time.monotonic() - started
    booked = await Booking.filter(source=BookingSource.BALLOT).values_list("member_id", flat=True)
    print(f"entries {len(doc['entries'])}, places {sum(p['places'] for p in doc['places'])}, "
          f"won in the draw {won}, in the second round {second}, bookings {len(booked)} "
          f"({len(booked) - len(set(booked))} double), verify: "
          f"{'matches' if verdict.matches else verdict.reasons}")  # fmt: skip
    for what, seconds in timed.items():
        print(f"  {what:<52} {seconds:7.2f} s")
    return 0 if verdict.matches and len(booked) == len(set(booked)) else 1


if __name__ == "__main__":
    sys.exit(main())
