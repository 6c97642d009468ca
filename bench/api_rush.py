"""Booking through the JSON API against booking through the page, on PostgreSQL: the
same rush (bench/rush.py's hall, members and clients), the same picks, one after the
other on the same servers; prints both and the ratio API/page.

    .venv/bin/python -m bench.api_rush [--members 1000] [--slots 40] [--rounds 3]

The page request is what htmx sends on a tap (a session cookie and a CSRF token, the
cell's fragment back); the API request is a bearer token and JSON, the booking as JSON
back (201, or 409 with ``{"code": "slot_taken"}``).
"""

import argparse
import asyncio
import json
import os
import random
import secrets
import signal
import sys
import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from bench import fixture, rush, servers
from bench.client import Figures, Outcome, Request, figures
from bench.client import rush as fire
from bench.fixture import Target
from bench.workspace import Workspace
from palace.models import ApiToken, TokenScope
from palace.services.accounts import api_tokens
from palace.services.core import clock

API_PATH = "/api/v1/bookings"


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=1000, help="members, one request each")
    parser.add_argument("--slots", type=int, default=40, help="court slots on offer")
    parser.add_argument("--web-processes", type=int, default=2, help="server processes")
    parser.add_argument("--client-processes", type=int, default=1, help="load processes")
    parser.add_argument("--rounds", type=int, default=1, help="repetitions, bookings reset")
    parser.add_argument("--seed", type=int, default=None, help="picks of slots (printed)")
    parser.add_argument("--postgres-url", default=rush.DEFAULT_POSTGRES, help="an admin db")
    parser.add_argument("--redis-url", default="", help="default: a free db on localhost")
    args = parser.parse_args(argv)
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
    finally:
        workspace.close()


async def _tokens(member_ids: list[int]) -> list[str]:
    """A bearer token per member, made in bulk (issuing one by one would take minutes)."""
    found = [secrets.token_urlsafe(32) for _ in member_ids]
    expires = clock.now() + timedelta(days=api_tokens.MEMBER_DAYS)
    await ApiToken.bulk_create(
        [
            ApiToken(
                key=api_tokens.key_of(secret),
                member_id=member_id,
                scope=TokenScope.MEMBER,
                expires_at=expires,
                last_used_at=clock.now(),  # logging in is a use, as api_tokens.log_in has it
            )
            for secret, member_id in zip(found, member_ids, strict=True)
        ],
        batch_size=500,
    )
    return found


def _api_request(base: str, secret: str, target: Target) -> Request:
    """What the mini-program sends on a tap: JSON with a bearer token."""
    parts = urlsplit(base)
    starts = datetime.fromtimestamp(target.start, UTC).isoformat()
    body = json.dumps({"resource_id": target.resource_id, "starts_at": starts}).encode()
    lines = [
        f"POST {API_PATH} HTTP/1.1",
        f"Host: {parts.netloc}",
        "Content-Type: application/json",
        f"Content-Length: {len(body)}",
        "Connection: close",
        f"Authorization: Bearer {secret}",
    ]
    head = "\r\n".join(lines).encode("latin-1") + b"\r\n\r\n"
    return Request(parts.hostname or "127.0.0.1", parts.port or 80, head + body)


async def _api(server: servers.Server, requests: list[Request], processes: int) -> Figures:
    meter = servers.Meter(server)
    outcomes, cpu = await asyncio.to_thread(
        fire, requests, processes, (meter.start, meter.stop), threading.Event(), None
    )
    # 201 Created is the API's success: counted where the page's 200 is.
    seen = [replace(o, status=200) if o.status == 201 else o for o in outcomes]
    found = figures(_clean(seen), cpu)
    return replace(found, server_cpu_s=meter.server_cpu_s, machine_busy_pct=meter.machine_busy_pct)


def _clean(outcomes: list[Outcome]) -> list[Outcome]:
    return [replace(o, note="") if o.status in (200, 409) else o for o in outcomes]


async def _bench(args: argparse.Namespace, workspace: Workspace) -> int:
    from palace.db import close_database, open_database

    rush._migrate()
    await open_database(workspace.database_url)
    try:
        targets = await fixture.make_hall(args.slots, code=rush.FACILITY)
        member_ids = await fixture.make_members(args.members)
        logins = await fixture.log_in_all(member_ids, workspace.secret_key)
        tokens = await _tokens(member_ids)
        env = {"PALACE_API_REQUESTS_PER_MINUTE": "1000000"}
        palace = servers.start("palace", servers.palace_argv(args.web_processes), env,
                               workspace.var_dir)  # fmt: skip
        workspace.running.append(palace)
        await servers.wait_until_up(palace)
        await rush._warm_up(palace, palace, logins)
        rng = random.Random(args.seed)
        print(f"{args.members} members, {len(targets)} slots, {args.web_processes} web "
              f"processes, PostgreSQL, seed {args.seed}")  # fmt: skip
        sound = True
        for number in range(1, args.rounds + 1):
            picks = [rng.choice(targets) for _ in member_ids]
            await fixture.reset_bookings()
            page = await rush._rush(palace, logins, picks, args.client_processes, None)
            page_check = await fixture.integrity()
            await fixture.reset_bookings()
            api = await _api(palace, [_api_request(palace.base_url, s, t)
                                      for s, t in zip(tokens, picks, strict=True)],
                             args.client_processes)  # fmt: skip
            api_check = await fixture.integrity()
            sound &= page_check.double_bookings == api_check.double_bookings == 0
            print(_table(number, page, api, page_check.confirmed, api_check.confirmed))
    finally:
        await close_database()
    return 0 if sound else 1


def _table(number: int, page: Figures, api: Figures, page_ok: int, api_ok: int) -> str:
    rows = [
        ("booked (database)", page_ok, api_ok),
        ("answered booked", page.ok, api.ok),
        ("answered taken (409)", page.taken, api.taken),
        ("other answers", sum(page.others.values()), sum(api.others.values())),
        ("p50 latency (ms)", page.p50_ms, api.p50_ms),
        ("p99 latency (ms)", page.p99_ms, api.p99_ms),
        ("throughput (req/s)", page.throughput, api.throughput),
        ("server CPU (s)", page.server_cpu_s, api.server_cpu_s),
    ]
    lines = [f"\nRound {number}        {'page':>12} {'API':>12} {'API/page':>10}"]
    for label, a, b in rows:
        ratio = f"{b / a:.2f}" if a else "-"
        lines.append(f"{label:<21}{a:>12.1f} {b:>12.1f} {ratio:>10}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
