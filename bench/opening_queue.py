"""2,000 members join an opening queue within the same second, shortly before its
gathering time ends, on PostgreSQL, against a real ``palace serve`` and its arq worker;
then the worker serves the queue (the order drawn, every place booked through the
booking core). Prints the answers by status, the join latency, how long after the
gathering's end the queue was done and its last booking made (target: 10 s), the places
and how many got one, and whether the published file verifies. Baselines in the same
run, on the same server: the same members all reading the queue page at once, and all
asking /readyz at once (the stack with one database and one Redis ping).

    .venv/bin/python -m bench.opening_queue [--members 2000] [--rounds 3] [--gather 30]

No clock is patched: each round's hall opens its day for booking at the next whole
minute at least ``--lead`` seconds away (bench/queue_stage.py). How to read the output:
bench/README.md.
"""

import argparse
import asyncio
import os
import random
import signal
import sys
import threading
import time
from dataclasses import dataclass

import httpx

from bench import api_rush, fixture, queue_report, queue_stage, rush, servers
from bench.client import Request, get
from bench.client import rush as fire
from bench.queue_stage import Hall
from bench.workspace import Workspace

WARM_UP_REQUESTS = 50
DONE_WITHIN_SECONDS = 120  # give up waiting for the serve after this
POLL_SECONDS = 0.05


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=2000, help="members, one join each")
    parser.add_argument("--courts", type=int, default=10, help="courts (14 hours each)")
    parser.add_argument("--gather", type=int, default=30, help="gathering time (s)")
    parser.add_argument("--lead", type=float, default=15, help="opening at least this far (s)")
    parser.add_argument("--fire-before", type=float, default=10,
                        help="joins sent this long before the gathering ends (s)")  # fmt: skip
    parser.add_argument("--rounds", type=int, default=1, help="a hall and its queue each")
    parser.add_argument("--web-processes", type=int, default=2, help="uvicorn processes")
    parser.add_argument("--client-processes", type=int, default=1, help="load processes")
    parser.add_argument("--seed", type=int, default=None, help="the choices (printed)")
    parser.add_argument("--postgres-url", default=rush.DEFAULT_POSTGRES, help="an admin db")
    parser.add_argument("--redis-url", default="", help="default: a free db on localhost")
    args = parser.parse_args(argv)
    if min(args.members, args.courts, args.gather, args.rounds, args.web_processes) < 1:
        parser.error("counts must be at least 1")
    if not 0 < args.fire_before < args.gather + 10 * 60:
        parser.error("--fire-before must fall inside the joining window")
    if args.seed is None:
        args.seed = random.SystemRandom().randrange(1_000_000)
    return args


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    rush._allow_open_files(args.members + 1000)
    workspace = Workspace(args.postgres_url, args.redis_url, "postgres")
    try:
        workspace.open()
        os.environ.update(workspace.env())
        return asyncio.run(_bench(args, workspace))
    except KeyboardInterrupt:
        print("\ninterrupted; cleaning up", file=sys.stderr)
        return 130
    finally:
        workspace.close()


@dataclass(frozen=True)
class Stage:
    halls: list[Hall]
    secrets: list[str]
    palace: servers.Server


async def _bench(args: argparse.Namespace, workspace: Workspace) -> int:
    from palace import queue
    from palace.db import close_database, open_database

    started = time.monotonic()
    rush._migrate()
    await open_database(workspace.database_url)
    queue.open_queue(workspace.redis_url)  # the queue's serve job is sent after its commit
    rounds: list[queue_report.Round] = []
    try:
        stage = await _stage(args, workspace, started)
        print(await queue_report.header(args, stage.halls[0], workspace.database_name))
        rng = random.Random(args.seed)
        for number, hall in enumerate(stage.halls, start=1):
            rounds.append(await _round(args, stage, hall, rng))
            print(queue_report.round_table(number, rounds[-1]))
        if len(rounds) > 1:
            print(queue_report.summary(rounds))
    finally:
        await queue.close_queue()
        await close_database()
    return 0 if all(r.sound for r in rounds) else 1


async def _stage(args: argparse.Namespace, workspace: Workspace, started: float) -> Stage:
    member_ids = await fixture.make_members(args.members)
    secrets = await api_rush._tokens(member_ids)
    rush._progress(f"{len(secrets)} members with API tokens", started)
    first = queue_stage.first_opening(args.lead)
    step = queue_stage.spacing(args.gather)
    halls = [await queue_stage.make_hall(n, args.courts, first + (n - 1) * step, args.gather)
             for n in range(1, args.rounds + 1)]  # fmt: skip
    env = {"PALACE_API_REQUESTS_PER_MINUTE": "1000000"}
    argv = [*servers.palace_argv(args.web_processes), "--with-worker"]
    palace = servers.start("palace", argv, env, workspace.var_dir)
    workspace.running.append(palace)
    await servers.wait_until_up(palace)
    async with httpx.AsyncClient(timeout=60) as client:
        headers = [{"Authorization": f"Bearer {s}"} for s in secrets[:WARM_UP_REQUESTS]]
        url = f"{palace.base_url}/api/v1/halls/{halls[0].code}/queue/{halls[0].day}"
        answers = await asyncio.gather(*(client.get(url, headers=h) for h in headers))
    if bad := [a.status_code for a in answers if a.status_code != 200]:
        raise RuntimeError(f"warm-up answered {bad[:5]}")
    rush._progress(f"palace serve (+ worker) up and warm; opens {halls[0].times.opens_at}", started)
    return Stage(halls, secrets, palace)


async def _round(
    args: argparse.Namespace, stage: Stage, hall: Hall, rng: random.Random
) -> queue_report.Round:
    from palace.services.fairness import opening_queue

    # The queue exists from its first minute (the worker's sweep makes it): made here as
    # the sweep would, so the rush measures joins, not who makes it.
    queue = await opening_queue.queue_for(hall.facility.id, hall.times)
    base = stage.palace.base_url
    fire_at = hall.times.gathers_until.timestamp() - args.fire_before
    reads = [queue_stage.page_request(base, s, hall) for s in stage.secrets]
    pages = await _fire(stage.palace, reads, args.client_processes, None)
    pings = [get(f"{base}/readyz", {}) for _ in stage.secrets]
    ready = await _fire(stage.palace, pings, args.client_processes, None)
    if time.time() > fire_at - 1:
        print("!! the baselines ran into the joins' moment: raise --lead or --gather")
    keys = await queue_stage.choice_keys(hall)
    joins = [queue_stage.join_request(base, s, hall, queue_stage.pick_choices(keys, rng))
             for s in stage.secrets]  # fmt: skip
    meter = servers.Meter(stage.palace)
    joined = await _fire(stage.palace, joins, args.client_processes, fire_at, meter)
    done_at = await _served(queue.id)
    problems = servers.new_problems(stage.palace)
    return await queue_report.measure(base, hall, queue.id, (joined, pages, ready), done_at,
                                      problems)  # fmt: skip


async def _fire(
    server: servers.Server,
    requests: list[Request],
    processes: int,
    at: float | None,
    meter: servers.Meter | None = None,
) -> queue_report.Fired:
    """Every request at once (at the wall-clock instant ``at``, if given)."""
    meter = meter or servers.Meter(server)

    def start() -> None:
        if at is not None:
            time.sleep(max(0.0, at - time.time()))
        meter.start()

    offset = time.time() - time.monotonic()  # the clients time with the monotonic clock
    outcomes, _cpu = await asyncio.to_thread(
        fire, requests, processes, (start, meter.stop), threading.Event(), None
    )
    return queue_report.Fired(outcomes, offset, meter.server_cpu_s, meter.machine_busy_pct)


async def _served(queue_id: int) -> float:
    """Waits until the worker's serve of the queue is committed; the wall-clock instant
    it was seen (at most ``POLL_SECONDS`` late)."""
    from palace.models import OpeningQueue, QueueState

    deadline = time.monotonic() + DONE_WITHIN_SECONDS
    while time.monotonic() < deadline:
        if await OpeningQueue.exists(id=queue_id, state=QueueState.DONE):
            return time.time()
        await asyncio.sleep(POLL_SECONDS)
    raise RuntimeError(f"the queue was not served within {DONE_WITHIN_SECONDS} s")


if __name__ == "__main__":
    sys.exit(main())
