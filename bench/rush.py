"""The opening-time rush: many members booking a few court slots at once.

On PostgreSQL (default) or SQLite (``--database sqlite``: one web process and a worker
sharing the file); every request at once, or a closed loop (``--loop SECONDS``).

Prints successes, double bookings, latency and throughput for Palace, and the same
figures for a bare Starlette endpoint running one equivalent SQL statement on the same
database in the same run (the stack's limit). How to run and read it: bench/README.md.
"""

import argparse
import asyncio
import os
import random
import resource
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, replace

import httpx

from bench import baseline_app, fixture, report, roundtrips, servers
from bench.client import Figures, Loop, Request, figures, form_post, rush
from bench.fixture import Login, Target
from bench.workspace import Workspace
from palace import db

DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"
FACILITY = "rush"
VERIFY_PATH = "/bookings"  # any page that needs a log-in
POOL_SIZE = db.POOL_SIZE  # Palace's pool per process; the baseline gets the same
WARM_UP_REQUESTS = 50


@dataclass(frozen=True)
class Stage:
    targets: list[Target]
    logins: list[Login]
    palace: servers.Server
    baseline: servers.Server


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=1000, help="members, one request each")
    parser.add_argument("--slots", type=int, default=40, help="court slots on offer")
    parser.add_argument(
        "--web-processes", type=int, default=None, help="server processes (PostgreSQL 2, SQLite 1)"
    )
    parser.add_argument("--client-processes", type=int, default=1, help="load processes")
    parser.add_argument("--rounds", type=int, default=1, help="repetitions, bookings reset")
    parser.add_argument("--seed", type=int, default=None, help="picks of slots (printed)")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES, help="an admin database")
    parser.add_argument("--redis-url", default="", help="default: a free db on localhost")
    parser.add_argument("--database", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument(
        "--loop", type=float, default=0, help="closed loop for SECONDS instead of a rush"
    )
    parser.add_argument("--clients", type=int, default=32, help="clients of the closed loop")
    args = parser.parse_args(argv)
    if args.web_processes is None:
        args.web_processes = 1 if args.database == "sqlite" else 2
    counts = (
        args.members,
        args.slots,
        args.web_processes,
        args.client_processes,
        args.rounds,
        args.clients,
    )
    if min(counts) < 1:
        parser.error("counts must be at least 1")
    if args.seed is None:
        args.seed = random.SystemRandom().randrange(1_000_000)
    return args


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    # A plain `kill` must clean up too: turn SIGTERM into SystemExit so `finally` runs.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    _allow_open_files(args.members + 1000)
    workspace = Workspace(args.postgres_url, args.redis_url, args.database)
    try:
        workspace.open()
        os.environ.update(workspace.env())
        return asyncio.run(_bench(args, workspace))
    except KeyboardInterrupt:
        print("\ninterrupted; cleaning up", file=sys.stderr)
        return 130
    finally:
        workspace.close()


def _allow_open_files(wanted: int) -> None:
    """Every member holds a socket at once, in the client and in the servers."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        limit = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (limit, hard))


async def _bench(args: argparse.Namespace, workspace: Workspace) -> int:
    from palace.db import close_database, open_database

    started = time.monotonic()
    _migrate()
    _progress("scratch database migrated", started)
    await open_database(workspace.database_url)
    rounds: list[report.Round] = []
    try:
        stage = await _stage(args, workspace)
        print(await report.header(args, len(stage.targets), workspace.database_name))
        rng = random.Random(args.seed)
        for number in range(1, args.rounds + 1):
            rounds.append(await _round(args, workspace, stage, rng))
            print(report.round_table(number, rounds[-1]))
        if len(rounds) > 1:
            print(report.summary(rounds))
        await fixture.reset_bookings()
        trips = await roundtrips.booking_round_trips(stage.logins, stage.targets)
        print(report.footer(trips, servers.rss_mb(stage.palace)))
    finally:
        await close_database()
    return 0 if all(r.sound for r in rounds) else 1


def _migrate() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "palace", "migrate"], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"migrate failed:\n{done.stdout}{done.stderr}")


async def _stage(args: argparse.Namespace, workspace: Workspace) -> Stage:
    started = time.monotonic()
    targets = await fixture.make_hall(args.slots, code=FACILITY)
    member_ids = await fixture.make_members(args.members)
    logins = await fixture.log_in_all(member_ids, workspace.secret_key)
    _progress(f"{len(targets)} slots, {len(logins)} members logged in", started)
    palace, baseline = _start_servers(args.web_processes, workspace)
    await asyncio.gather(servers.wait_until_up(palace), servers.wait_until_up(baseline))
    await _verify_login(palace, logins[0])
    await _warm_up(palace, baseline, logins)
    _progress(f"servers up and warm ({args.web_processes} processes each)", started)
    return Stage(targets, logins, palace, baseline)


def _progress(what: str, started: float) -> None:
    print(f"… {what} ({time.monotonic() - started:.1f} s)", file=sys.stderr)


def _start_servers(processes: int, workspace: Workspace) -> tuple[servers.Server, servers.Server]:
    baseline_env = {
        baseline_app.DATABASE_ENV: workspace.baseline_url,
        baseline_app.POOL_ENV: str(POOL_SIZE),
    }
    argv = servers.palace_argv(processes)
    if workspace.database == "sqlite":
        argv.append("--with-worker")  # the worker shares the file, as a small palace runs
    palace = servers.start("palace", argv, {}, workspace.var_dir)
    workspace.running.append(palace)
    baseline = servers.start(
        "baseline", servers.baseline_argv(processes), baseline_env, workspace.var_dir
    )
    workspace.running.append(baseline)
    return palace, baseline


async def _verify_login(palace: servers.Server, login: Login) -> None:
    """One real request: a crafted cookie must be a logged-in member, not a trip to /login."""
    headers = {"Cookie": fixture.cookie_header(login)}
    async with httpx.AsyncClient(timeout=30) as client:
        response = await client.get(f"{palace.base_url}{VERIFY_PATH}", headers=headers)
    if response.status_code != 200:
        where = response.headers.get("location", "")
        raise RuntimeError(
            f"crafted session refused: GET {VERIFY_PATH} -> {response.status_code} {where}"
        )


async def _warm_up(palace: servers.Server, baseline: servers.Server, logins: list[Login]) -> None:
    """Open every process's database pool and compile templates before timing anything."""
    async with httpx.AsyncClient(timeout=60) as client:
        pages = [
            client.get(
                f"{palace.base_url}{VERIFY_PATH}", headers={"Cookie": fixture.cookie_header(login)}
            )
            for login in logins[:WARM_UP_REQUESTS]
        ]
        health = [client.get(f"{baseline.base_url}/healthz") for _ in range(WARM_UP_REQUESTS)]
        await asyncio.gather(*pages, *health)


async def _round(
    args: argparse.Namespace, workspace: Workspace, stage: Stage, rng: random.Random
) -> report.Round:
    await fixture.reset_bookings()
    database = workspace.baseline_url
    await baseline_app.reset_table(database, [(t.resource_id, t.start) for t in stage.targets])
    picks = [rng.choice(stage.targets) for _ in stage.logins]
    loop = Loop(args.clients, args.loop) if args.loop > 0 else None
    palace = await _rush(stage.palace, stage.logins, picks, args.client_processes, loop)
    integrity = await fixture.integrity()
    baseline = await _rush(stage.baseline, stage.logins, picks, args.client_processes, loop)
    taken, over = await baseline_app.taken_and_overbooked(database)
    problems = servers.new_problems(stage.palace) + servers.new_problems(stage.baseline)
    return report.Round(palace, baseline, integrity, taken, over, len(set(picks)), problems)


async def _rush(
    server: servers.Server,
    logins: list[Login],
    picks: list[Target],
    processes: int,
    loop: Loop | None,
) -> Figures:
    requests = [
        _booking_request(server, login, target) for login, target in zip(logins, picks, strict=True)
    ]
    meter = servers.Meter(server)
    abort = threading.Event()
    try:
        outcomes, cpu = await asyncio.to_thread(
            rush, requests, processes, (meter.start, meter.stop), abort, loop
        )
    except asyncio.CancelledError:
        abort.set()  # Ctrl-C: the thread ends the clients and returns
        raise
    found = figures(outcomes, cpu)
    return replace(found, server_cpu_s=meter.server_cpu_s, machine_busy_pct=meter.machine_busy_pct)


def _booking_request(server: servers.Server, login: Login, target: Target) -> Request:
    """What htmx sends when a member clicks a free cell (the baseline gets the same bytes)."""
    headers = {
        "Cookie": fixture.cookie_header(login),
        "X-CSRF-Token": login.csrf,
        "Origin": server.base_url,
        "HX-Request": "true",
    }
    form = {"resource": str(target.resource_id), "start": str(target.start)}
    return form_post(f"{server.base_url}/book/{FACILITY}", form, headers)


if __name__ == "__main__":
    sys.exit(main())
