"""The production topology under a rush, with things breaking: is anything lost or doubled?

Starts, on this machine and on loopback only, a PostgreSQL and a Redis of its own, two
web processes and two workers, nginx in front (deploy/nginx); seeds a hall of courts and
members; then members book, cancel and join waitlists through nginx while the bench
SIGKILLs a web process and a worker (restarted as systemd would), restarts Redis and
restarts PostgreSQL. Afterwards the database must show no double booking, every answered
booking and cancel, no promotion or message twice, and no place left held. How to run and
read it: bench/README.md.

    .venv/bin/python bench/topology.py
"""

import argparse
import asyncio
import contextlib
import os
import random
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx

from bench import fixture, topology_checks
from bench.fixture import Login, Target
from bench.topology_checks import Answered
from bench.topology_stack import Stack

FACILITY = "rush"
RETRYABLE = {502, 503, 504}  # nginx with no web process to answer: the phone tries again
EXPECTED = {200, 303, 409}
TRIES = 6
SETTLE_SECONDS = 150  # the workers' sweep runs every minute
BOOKING_LINK = re.compile(r'href="/bookings/(\d+)"')


@dataclass
class Tally:
    answers: Counter[int] = field(default_factory=Counter)  # every answer, retries too
    retried: int = 0
    unanswered: int = 0  # no answer at all, or still retryable after every try
    failures: list[str] = field(default_factory=list)
    answered: Answered = field(default_factory=Answered)


@dataclass(frozen=True)
class Member:
    id: int
    login: Login
    target: Target
    slot_id: int


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=240)
    parser.add_argument("--slots", type=int, default=24, help="court slots (4 per court)")
    parser.add_argument("--seconds", type=float, default=45, help="members arrive over this")
    parser.add_argument("--clients", type=int, default=24, help="requests in flight at most")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)
    args.seed = random.SystemRandom().randrange(1_000_000) if args.seed is None else args.seed
    return args


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    directory = Path(tempfile.mkdtemp(prefix="palace-topology-"))
    stack = Stack(directory)
    try:
        return asyncio.run(_bench(args, stack))
    except KeyboardInterrupt:
        print("\ninterrupted; cleaning up", file=sys.stderr)
        return 130
    finally:
        stack.close()
        shutil.rmtree(directory, ignore_errors=True)


def _progress(what: str, started: float) -> None:
    print(f"… {what} ({time.monotonic() - started:.1f} s)", file=sys.stderr)


async def _bench(args: argparse.Namespace, stack: Stack) -> int:
    from palace.db import close_database, open_database

    started = time.monotonic()
    stack.start_stores()
    database_url = stack.postgres.url("palace") + "?maxsize=5"
    await _admin(stack.postgres.admin_url, "CREATE DATABASE palace")
    env = _env(stack, database_url)
    _migrate(env)
    await open_database(database_url)
    try:
        members = await _seed(args, env["PALACE_SECRET_KEY"])
    finally:
        await close_database()
    _progress(f"own PostgreSQL and Redis up, {len(members)} members seeded", started)
    stack.start_palace(env)
    _progress("2 web processes, 2 workers and nginx up", started)
    tally, events = await _run(args, stack, members)
    _progress("rush done; waiting for the workers to settle", started)
    await open_database(database_url)
    try:
        settled = await _settle()
        found = await topology_checks.outcome(tally.answered)
    finally:
        await close_database()
    print(_report(args, tally, events, found, stack, settled))
    return 0 if _sound(tally, found) else 1


def _env(stack: Stack, database_url: str) -> dict[str, str]:
    return {
        "PALACE_DATABASE_URL": database_url,
        "PALACE_REDIS_URL": f"redis://127.0.0.1:{stack.redis_port}/0",
        "PALACE_VAR_DIR": str(stack.directory / "var"),
        "PALACE_SECRET_KEY": secrets.token_urlsafe(48),
        "PALACE_ALLOWED_HOSTS": "127.0.0.1",
        "PALACE_TRUSTED_PROXIES": "127.0.0.1",
        "PALACE_LOG_LEVEL": "WARNING",
    }


async def _admin(url: str, statement: str) -> None:
    import asyncpg

    from bench.workspace import asyncpg_url

    conn = await asyncpg.connect(asyncpg_url(url))
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


def _migrate(env: dict[str, str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "palace", "migrate"],
        env={**os.environ, **env}, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"migrate failed:\n{done.stdout}{done.stderr}")
    os.environ.update(env)  # this process's settings, for the seeding and the checks


async def _seed(args: argparse.Namespace, secret_key: str) -> list[Member]:
    from palace.services.booking import slots

    targets = await fixture.make_hall(args.slots, code=FACILITY)
    slot_ids = []
    for target in targets:
        # The slot rows made up front, so members can join a line by the slot's id.
        start = datetime.fromtimestamp(target.start, UTC)
        slot_ids.append((await slots.grid_slot(resource_id=target.resource_id, starts_at=start)).id)
    ids = await fixture.make_members(args.members)
    logins = await fixture.log_in_all(ids, secret_key)
    rng = random.Random(args.seed)
    picks = [rng.randrange(len(targets)) for _ in ids]
    return [
        Member(member_id, login, targets[pick], slot_ids[pick])
        for member_id, login, pick in zip(ids, logins, picks, strict=True)
    ]


async def _run(
    args: argparse.Namespace, stack: Stack, members: list[Member]
) -> tuple[Tally, list[str]]:
    """The members' rush, with the chaos schedule beside it and the supervisor running."""
    tally, events = Tally(), []
    base = f"http://127.0.0.1:{stack.proxy_port}"
    limits = httpx.Limits(max_connections=args.clients, max_keepalive_connections=args.clients)
    rng = random.Random(args.seed + 1)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:
        started = time.monotonic()
        arrivals = sorted(rng.uniform(0, args.seconds) for _ in members)
        tasks = [
            asyncio.create_task(_member(client, m, at, tally, random.Random(rng.random())))
            for m, at in zip(members, arrivals, strict=True)
        ]
        chaos = asyncio.create_task(_chaos(stack, args.seconds, events, started))
        watch = asyncio.create_task(_supervise(stack))
        try:
            await asyncio.gather(*tasks, chaos)
        finally:
            watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watch
    return tally, events


async def _supervise(stack: Stack) -> None:
    while True:
        stack.supervise()
        await asyncio.sleep(0.2)


async def _chaos(stack: Stack, seconds: float, events: list[str], started: float) -> None:
    """Break one thing at a time, spread over the rush."""
    steps = [
        (0.2, "SIGKILL web process 1", stack.webs[0].kill),
        (0.4, "SIGKILL worker 1", stack.workers[0].kill),
        (0.6, "restart Redis (comes back empty)", stack.restart_redis),
        (0.8, "restart PostgreSQL (pg_ctl restart -m fast)", stack.postgres.restart),
    ]
    for fraction, what, action in steps:
        await asyncio.sleep(max(0.0, started + fraction * seconds - time.monotonic()))
        at = time.monotonic() - started
        await asyncio.to_thread(action)
        events.append(f"{at:5.1f} s  {what} (done at {time.monotonic() - started:.1f} s)")


async def _send(
    client: httpx.AsyncClient, tally: Tally, method: str, path: str, member: Member,
    **kwargs: object,
) -> httpx.Response | None:  # fmt: skip
    """One member's request, tried again after a retryable answer as a phone would."""
    headers = {"Cookie": fixture.cookie_header(member.login), "X-CSRF-Token": member.login.csrf,
               "Origin": str(client.base_url).rstrip("/"), "HX-Request": "true"}  # fmt: skip
    for attempt in range(TRIES):
        if attempt:
            tally.retried += 1
            await asyncio.sleep(0.5 * attempt)
        try:
            response = await client.request(method, path, headers=headers, **kwargs)  # type: ignore[arg-type]
        except httpx.TransportError as error:
            tally.failures.append(f"{method} {path}: {type(error).__name__}")
            continue
        tally.answers[response.status_code] += 1
        if response.status_code not in RETRYABLE:
            if response.status_code not in EXPECTED:
                tally.failures.append(f"{method} {path}: {response.status_code}")
            return response
    tally.unanswered += 1
    return None


async def _member(
    client: httpx.AsyncClient, member: Member, at: float, tally: Tally, rng: random.Random
) -> None:
    """Book the court slot picked; when it is taken, wait in line; now and then cancel."""
    await asyncio.sleep(at)
    form = {"resource": str(member.target.resource_id), "start": str(member.target.start)}
    booked = await _send(client, tally, "POST", f"/book/{FACILITY}", member, data=form)
    if booked is not None and booked.status_code == 200:
        tally.answered.booked.add((member.id, member.slot_id))
        found = BOOKING_LINK.search(booked.text)
        if found and rng.random() < 0.6:
            await asyncio.sleep(rng.uniform(0.5, 8))
            await _cancel(client, tally, member, int(found.group(1)))
        return
    path = f"/waitlist/{member.slot_id}"
    await _send(client, tally, "POST", path, member, data={"mode": "auto"})
    # Later: promoted from the line? Some cancel again, which promotes the next in line.
    await asyncio.sleep(rng.uniform(3, 12))
    mine = await _send(client, tally, "GET", "/bookings", member)
    found = BOOKING_LINK.search(mine.text) if mine is not None else None
    if found and rng.random() < 0.5:
        await _cancel(client, tally, member, int(found.group(1)))


async def _cancel(client: httpx.AsyncClient, tally: Tally, member: Member, booking: int) -> None:
    done = await _send(client, tally, "POST", f"/bookings/{booking}/cancel", member)
    # Done: back to My bookings; refused: back to the booking with a message.
    if done is not None and done.status_code == 303 and done.headers["location"] == "/bookings":
        tally.answered.cancelled.add(booking)


async def _settle() -> float:
    """Wait (bounded) until no place is held for a line and no line waits by a free place."""
    started = time.monotonic()
    while time.monotonic() - started < SETTLE_SECONDS:
        if await topology_checks.owed_work() == (0, 0):
            break
        await asyncio.sleep(1)
    return time.monotonic() - started


EXCEPTION_LINE = re.compile(r"^(?:[\w.]+\.)?(\w+(?:Error|Exception)): (.{0,90})")


def _logged_errors(stack: Stack) -> Counter[str]:
    """What went wrong inside Palace's processes, by exception, to explain a 500."""
    found: Counter[str] = Counter()
    for item in (*stack.webs, *stack.workers):
        if not item.log_path.exists():
            continue
        for line in item.log_path.read_text(errors="replace").splitlines():
            if match := EXCEPTION_LINE.match(line):
                found[f"{item.name[:-1]}: {match.group(1)}: {match.group(2)}"] += 1
    return found


def _sound(tally: Tally, found: topology_checks.Outcome) -> bool:
    bad_answers = sum(n for status, n in tally.answers.items() if status >= 500
                      and status not in RETRYABLE)  # fmt: skip
    return (
        found.lost == 0
        and found.doubled == 0
        and found.taken_mismatches == 0
        and tally.unanswered == 0
        and bad_answers == 0
    )


def _report(
    args: argparse.Namespace, tally: Tally, events: list[str], found: topology_checks.Outcome,
    stack: Stack, settled: float,
) -> str:  # fmt: skip
    answers = ", ".join(f"{status}: {n}" for status, n in sorted(tally.answers.items()))
    restarts = ", ".join(f"{p.name} {p.restarts}" for p in (*stack.webs, *stack.workers))
    rows = [
        ("requests answered", f"{sum(tally.answers.values())} ({tally.retried} retries)"),
        ("answers by status", answers),
        ("unanswered after retries", tally.unanswered),
        ("bookings (confirmed)", f"{found.bookings} ({found.confirmed})"),
        ("bookings answered 200", len(tally.answered.booked)),
        ("cancels answered done", len(tally.answered.cancelled)),
        ("promotions", found.promotions),
        ("messages", found.messages),
        ("still in line", found.waiting),
        ("settled after", f"{settled:.1f} s"),
        ("processes restarted", restarts),
        ("lost", f"{found.lost} (bookings {found.lost_bookings}, cancels {found.lost_cancels}, "
                 f"promotions owed {found.lost_promotions}, "
                 f"line booked w/o booking {found.booked_without_booking})"),
        ("doubled", f"{found.doubled} (double bookings {found.double_bookings}, promotions "
                    f"{found.promoted_twice}, messages {found.notified_twice})"),
        ("taken counter mismatches", found.taken_mismatches),
    ]  # fmt: skip
    width = max(len(name) for name, _ in rows)
    lines = [
        f"Palace topology: {args.members} members, {args.slots} court slots, arriving over "
        f"{args.seconds:.0f} s, seed {args.seed}",
        "PostgreSQL and Redis of its own, 2 web processes and 2 workers behind nginx", "",
        "what broke, when:", *(f"  {event}" for event in events), "",
        *(f"{name:<{width}}  {value}" for name, value in rows),
    ]  # fmt: skip
    lines += _problems(tally, stack)
    lines += ["", "SOUND" if _sound(tally, found) else "NOT SOUND"]
    return "\n".join(lines)


def _problems(tally: Tally, stack: Stack) -> list[str]:
    """Unexpected answers, and the exceptions in the processes' logs that explain them."""
    lines = []
    if tally.failures:
        shown = Counter(tally.failures).most_common(10)
        lines += ["", "answers other than expected:", *(f"  {n}× {what}" for what, n in shown)]
    if causes := _logged_errors(stack):
        lines += ["", "errors in the processes' logs (last line of each traceback):"]
        lines += [f"  {n}× {what}" for what, n in causes.most_common(8)]
    return lines


if __name__ == "__main__":
    sys.exit(main())
