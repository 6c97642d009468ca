"""The pages bench: day timetable, My bookings and the class week against their limits.

Each page is served by real Palace processes and, in the same run, by a bare Starlette
app (bench/pages_baseline.py) that answers a constant ("hello") or renders the same
template from one hand-written SQL query. Closed loop: N clients for S seconds each.
``--scale`` then adds a large palace in SQL (20k members, 540k bookings over months),
reruns the pages and EXPLAINs the queries Palace runs. How to run and read it:
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
from dataclasses import dataclass, replace
from datetime import date, timedelta

import httpx

from bench import fixture, pages_explain, pages_seed, servers
from bench.client import Figures, Loop, Request, figures, get, rush
from bench.fixture import Login
from bench.report import database_version
from bench.rush import DEFAULT_POSTGRES, POOL_SIZE, _migrate, _progress
from bench.workspace import Workspace, asyncpg_url

BASELINE_APP = "bench.pages_baseline:create_app"
LOGGED_IN = 64  # members the clients take turns as
WARM_UP_ROUNDS = 2


@dataclass(frozen=True)
class Page:
    name: str
    path: str  # with its query


@dataclass(frozen=True)
class Stage:
    logins: list[Login]
    member_ids: list[int]
    palace: servers.Server
    baseline: servers.Server


@dataclass(frozen=True)
class Measured:
    page: Page
    palace: Figures
    template: Figures
    hello: Figures


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5, help="closed loop per figure")
    parser.add_argument("--clients", type=int, default=32, help="connections of the loop")
    parser.add_argument("--members", type=int, default=200, help="members of the small palace")
    parser.add_argument("--scale", action="store_true", help="then a large palace, EXPLAIN")
    parser.add_argument("--large-members", type=int, default=20_000, help="members added")
    parser.add_argument(
        "--web-processes", type=int, default=None, help="server processes (PostgreSQL 2, SQLite 1)"
    )
    parser.add_argument("--client-processes", type=int, default=1, help="load processes")
    parser.add_argument("--database", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES, help="an admin database")
    parser.add_argument("--redis-url", default="", help="default: a free db on localhost")
    args = parser.parse_args(argv)
    if args.web_processes is None:
        args.web_processes = 1 if args.database == "sqlite" else 2
    if min(args.clients, args.members, args.web_processes, args.client_processes) < 1:
        parser.error("counts must be at least 1")
    if args.members < LOGGED_IN or args.seconds <= 0:
        parser.error(f"--members must be at least {LOGGED_IN}, --seconds above 0")
    return args


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
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


def _pages(shown: date, week: date) -> list[Page]:
    return [
        Page("Day timetable", f"/book/{pages_seed.COURT_HALL}?day={shown.isoformat()}"),
        Page("My bookings", "/bookings"),
        Page("Class timetable", f"/classes?week={week.isoformat()}"),
    ]


async def _bench(args: argparse.Namespace, workspace: Workspace) -> int:
    from palace.db import close_database, open_database
    from palace.services.core import clock

    started = time.monotonic()
    _migrate()
    _seed_demo()
    await open_database(workspace.database_url)
    try:
        pool = await pages_seed.make_pool()
        member_ids = await pages_seed.add_members(args.members, pool)
        shown = clock.today() + timedelta(days=1)
        await pages_seed.fill_court_day(shown, member_ids[:LOGGED_IN])
        await pages_seed.analyze()
        _progress("small palace seeded", started)
        stage = await _stage(args, workspace, member_ids[:LOGGED_IN])
        print(await _header(args, workspace))
        pages = _pages(shown, shown)
        small = [await _measure_page(args, stage, page) for page in pages]
        print(await _table("Small palace", small))
        if args.scale:
            await pages_seed.add_members(args.large_members, pool)
            await pages_seed.analyze()
            _progress("large palace seeded", started)
            large = [await _measure_page(args, stage, page) for page in pages]
            print(await _table("Large palace", large))
            print(_growth(small[1], large[1]))
            print(await pages_explain.report(stage.logins[0], stage.member_ids[0], pages))
    finally:
        await close_database()
    return 0


def _seed_demo() -> None:
    """The demo palace: halls, courts, rules, class types and the weeks' class sessions."""
    import subprocess

    done = subprocess.run(
        [sys.executable, "-m", "palace", "seed-demo"], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"seed-demo failed:\n{done.stdout}{done.stderr}")


async def _header(args: argparse.Namespace, workspace: Workspace) -> str:
    where = (
        "one file" if args.database == "sqlite" else f"scratch database {workspace.database_name}"
    )
    worker = " (and a worker sharing the file)" if args.database == "sqlite" else ""
    members, bookings = await pages_seed.counts()
    return "\n".join(
        [
            f"Palace pages: closed loop, {args.clients} connections for {args.seconds:g} s"
            f" per figure; {members} members, {bookings} bookings",
            f"{await database_version()} ({where}); {args.web_processes} web process(es) for"
            f" Palace{worker} and for the baselines; {os.cpu_count()} CPUs",
        ]
    )


async def _stage(args: argparse.Namespace, workspace: Workspace, member_ids: list[int]) -> Stage:
    started = time.monotonic()
    logins = await fixture.log_in_all(member_ids, workspace.secret_key)
    argv = servers.palace_argv(args.web_processes)
    if workspace.database == "sqlite":
        argv.append("--with-worker")  # the worker shares the file, as a small palace runs
    palace = servers.start("palace", argv, {}, workspace.var_dir)
    workspace.running.append(palace)
    # The baselines read Palace's own tables, in the same database.
    url = workspace.database_url
    url = url if workspace.database == "sqlite" else asyncpg_url(url)
    env = {"BENCH_DATABASE_URL": url, "BENCH_POOL_SIZE": str(POOL_SIZE)}
    baseline_argv = servers.baseline_argv(args.web_processes)
    baseline_argv[baseline_argv.index("bench.baseline_app:create_app")] = BASELINE_APP
    baseline = servers.start("pages-baseline", baseline_argv, env, workspace.var_dir)
    workspace.running.append(baseline)
    await asyncio.gather(servers.wait_until_up(palace), servers.wait_until_up(baseline))
    _progress(f"servers up ({args.web_processes} processes each)", started)
    return Stage(logins, member_ids, palace, baseline)


def _requests(server: servers.Server, stage: Stage, path: str) -> list[Request]:
    return [
        get(
            f"{server.base_url}{path}",
            {"Cookie": fixture.cookie_header(login), "X-Bench-Member": str(member)},
        )
        for login, member in zip(stage.logins, stage.member_ids, strict=True)
    ]


async def _measure_page(args: argparse.Namespace, stage: Stage, page: Page) -> Measured:
    await _check(stage, page)
    await _warm(stage, page)
    palace = await _loop(args, stage.palace, _requests(stage.palace, stage, page.path))
    template = await _loop(args, stage.baseline, _requests(stage.baseline, stage, page.path))
    hello = await _loop(args, stage.baseline, _requests(stage.baseline, stage, "/hello"))
    return Measured(page, palace, template, hello)


async def _check(stage: Stage, page: Page) -> None:
    """Both must answer 200 with a page (a crafted cookie is a logged-in member)."""
    async with httpx.AsyncClient(timeout=60) as client:
        for server in (stage.palace, stage.baseline):
            headers = {
                "Cookie": fixture.cookie_header(stage.logins[0]),
                "X-Bench-Member": str(stage.member_ids[0]),
            }
            response = await client.get(f"{server.base_url}{page.path}", headers=headers)
            if response.status_code != 200 or "<html" not in response.text:
                raise RuntimeError(
                    f"{server.name} {page.path} -> {response.status_code}:"
                    f" {response.text[:500]}\n{server.log_path.read_text()[-3000:]}"
                )


async def _warm(stage: Stage, page: Page) -> None:
    async with httpx.AsyncClient(timeout=60) as client:
        for server in (stage.palace, stage.baseline):
            for _ in range(WARM_UP_ROUNDS):
                await asyncio.gather(
                    *(
                        client.get(
                            f"{server.base_url}{page.path}",
                            headers={
                                "Cookie": fixture.cookie_header(login),
                                "X-Bench-Member": str(member),
                            },
                        )
                        for login, member in zip(stage.logins, stage.member_ids, strict=True)
                    )
                )


async def _loop(
    args: argparse.Namespace, server: servers.Server, requests: list[Request]
) -> Figures:
    random.Random(0).shuffle(requests)
    meter = servers.Meter(server)
    abort = threading.Event()
    loop = Loop(args.clients, args.seconds)
    try:
        outcomes, cpu = await asyncio.to_thread(
            rush, requests, args.client_processes, (meter.start, meter.stop), abort, loop
        )
    except asyncio.CancelledError:
        abort.set()
        raise
    found = figures(outcomes, cpu)
    return replace(found, server_cpu_s=meter.server_cpu_s, machine_busy_pct=meter.machine_busy_pct)


def _cpu_ms(f: Figures) -> float:
    return 1000 * f.server_cpu_s / f.requests


def _row(label: str, *cells: str) -> str:
    return f"{label:<30}" + "".join(f"{c:>11}" for c in cells)


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b else "-"


async def _table(title: str, measured: list[Measured]) -> str:
    lines = [""]
    for m in measured:
        p, t, h = m.palace, m.template, m.hello
        head = _row(
            f"{title}: {m.page.name}", "Palace", "template", "hello", "P/template", "P/hello"
        )
        lines += [head, f"  GET {m.page.path}", "-" * len(head)]
        lines.append(_row("throughput (req/s)", f"{p.throughput:.1f}", f"{t.throughput:.1f}",
                          f"{h.throughput:.1f}", _ratio(p.throughput, t.throughput),
                          _ratio(p.throughput, h.throughput)))  # fmt: skip
        for label, name in (("p50 latency (ms)", "p50_ms"), ("p99 latency (ms)", "p99_ms")):
            a, b, c = (getattr(f, name) for f in (p, t, h))
            lines.append(
                _row(label, f"{a:.1f}", f"{b:.1f}", f"{c:.1f}", _ratio(a, b), _ratio(a, c))
            )
        lines.append(_row("server CPU per request (ms)", f"{_cpu_ms(p):.2f}", f"{_cpu_ms(t):.2f}",
                          f"{_cpu_ms(h):.2f}", _ratio(_cpu_ms(p), _cpu_ms(t)),
                          _ratio(_cpu_ms(p), _cpu_ms(h))))  # fmt: skip
        lines.append(_row("requests", str(p.requests), str(t.requests), str(h.requests)))
        others = [f.requests - f.ok for f in (p, t, h)]
        lines.append(_row("answers other than 200", *map(str, others)))
        lines.append(
            _row("machine CPU busy (%)", *(f"{f.machine_busy_pct:.0f}" for f in (p, t, h)))
        )
        if m.page.name != "Class timetable":
            share = p.throughput / t.throughput if t.throughput else 0
            verdict = "met" if share >= 0.5 else "NOT met"
            lines.append(f"  target: Palace/template throughput >= 0.5: {share:.2f}, {verdict}")
        lines.append("")
    return "\n".join(lines)


def _growth(small: Measured, large: Measured) -> str:
    a, b = _cpu_ms(small.palace), _cpu_ms(large.palace)
    verdict = "met" if b <= 1.5 * a else "NOT met"
    return (
        f"My bookings server CPU per request: small {a:.2f} ms, large {b:.2f} ms,"
        f" large/small {b / a:.2f} (target <= 1.5: {verdict})"
    )


if __name__ == "__main__":
    sys.exit(main())
