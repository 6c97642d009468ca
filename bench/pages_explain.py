"""How the database runs the queries behind a page: EXPLAIN of what Palace really sends.

Each page is requested once through the app in this process (httpx's ASGI transport, the
scratch database); every SELECT that reaches the driver is captured with its arguments
(asyncpg) or as SQLite expanded it, then explained: ``EXPLAIN (ANALYZE)`` on PostgreSQL,
``EXPLAIN QUERY PLAN`` on SQLite. A full scan of a large table is flagged.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import asyncpg
import httpx
from tortoise import connections

from bench import fixture
from bench.fixture import Login

BASE = "http://127.0.0.1:8000"
# Tables that grow with members and history; a full scan of one is a missing index.
LARGE = ("bookings", "booking_partners", "members", "slots", "login_sessions",
         "partner_invitations", "waitlist_entries", "notifications", "audit_events")  # fmt: skip
SQL_SHOWN = 110
LARGE_ROWS = 10_000


@contextmanager
def _capturing_asyncpg(found: list[tuple[str, tuple[Any, ...]]]) -> Iterator[None]:
    cls = asyncpg.connection.Connection
    original = cls._execute

    async def captured(self: Any, query: str, args: Any, *rest: Any, **kwargs: Any) -> Any:
        found.append((query, tuple(args)))
        return await original(self, query, args, *rest, **kwargs)

    cls._execute = captured  # type: ignore[method-assign]
    try:
        yield
    finally:
        cls._execute = original  # type: ignore[method-assign]


async def _sqlite_trace(callback: Callable[[str], None] | None) -> None:
    client: Any = connections.get("default")
    await client.create_connection(with_db=True)
    await client._connection.set_trace_callback(callback)


async def _queries(client: httpx.AsyncClient, path: str, headers: dict[str, str], dialect: str
                   ) -> list[tuple[str, tuple[Any, ...]]]:  # fmt: skip
    found: list[tuple[str, tuple[Any, ...]]] = []
    if dialect == "sqlite":
        await _sqlite_trace(lambda sql: found.append((sql, ())))
        try:
            await client.get(path, headers=headers)
        finally:
            await _sqlite_trace(None)
    else:
        with _capturing_asyncpg(found):
            await client.get(path, headers=headers)
    return [(sql, args) for sql, args in found if sql.lstrip().upper().startswith("SELECT")]


async def _plan(sql: str, args: tuple[Any, ...], dialect: str) -> list[str]:
    conn: Any = connections.get("default")
    if dialect == "sqlite":
        rows = await conn.execute_query_dict(f"EXPLAIN QUERY PLAN {sql}")
        return [str(row["detail"]) for row in rows]
    async with conn.acquire_connection() as raw:
        rows = await raw.fetch(f"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) {sql}", *args)
    return [str(row[0]) for row in rows]


def _scans(plan: list[str]) -> list[str]:
    """The lines that say how each table is read."""
    words = ("Scan", "SCAN", "SEARCH", "Execution Time")
    return [line.strip().lstrip("-> ").strip() for line in plan if any(w in line for w in words)]


def _scanned_table(line: str) -> str | None:
    """The table a full scan reads ("Seq Scan on bookings b", "SCAN bookings"), if any."""
    if line.startswith("Seq Scan on "):
        return line.split()[3]
    if line.startswith("SCAN ") and "INDEX" not in line:
        return line.split()[1]
    return None


async def _large_tables() -> set[str]:
    """Tables with at least LARGE_ROWS rows now: a full scan of one is a missing index.
    (On an empty or tiny table the planner rightly prefers a scan to an index.)"""
    conn: Any = connections.get("default")
    found = set()
    for table in LARGE:
        rows = await conn.execute_query_dict(f"SELECT COUNT(*) AS n FROM {table}")  # noqa: S608
        if int(rows[0]["n"]) >= LARGE_ROWS:
            found.add(table)
    return found


def _full_scans(scans: list[str], large: set[str]) -> list[str]:
    return [line for line in scans if _scanned_table(line) in large]


async def report(login: Login, member_id: int, pages: list[Any]) -> str:
    """EXPLAIN of every SELECT the pages run for one member, with full scans flagged."""
    from palace import queue
    from palace.redis_client import close_redis, open_redis
    from palace.services.accounts import throttle
    from palace.settings import get_settings
    from palace.web.app import create_app

    dialect = str(connections.get("default").capabilities.dialect)
    redis_url = get_settings().redis_url
    await open_redis(redis_url)
    queue.open_queue(redis_url)
    throttle.open_throttle(redis_url)
    headers = {"Cookie": fixture.cookie_header(login)}
    how = "EXPLAIN QUERY PLAN" if dialect == "sqlite" else "EXPLAIN (ANALYZE)"
    lines = ["", f"{how} of the queries Palace runs per page, on the large data set"]
    flagged = 0
    large = await _large_tables()
    lines.append(f"tables with {LARGE_ROWS}+ rows: {', '.join(sorted(large)) or 'none'}")
    try:
        transport = httpx.ASGITransport(app=create_app())
        async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
            for page in pages:
                await client.get(page.path, headers=headers)  # warm: caches as in a server
                queries = await _queries(client, page.path, headers, dialect)
                lines.append(f"\n{page.name} (GET {page.path}): {len(queries)} SELECTs")
                for sql, args in queries:
                    scans = _scans(await _plan(sql, args, dialect))
                    bad = _full_scans(scans, large)
                    flagged += len(bad)
                    lines.append(
                        f"  {'FULL SCAN ' if bad else ''}{' '.join(sql.split())[:SQL_SHOWN]}"
                    )
                    lines.extend(f"      {scan}" for scan in scans)
    finally:
        await queue.close_queue()
        await close_redis()
    verdict = f"no full scan of a table with {LARGE_ROWS}+ rows" if not flagged else (
        f"{flagged} full scan(s) of a large table: see FULL SCAN above")  # fmt: skip
    lines.append(f"\nindexes: {verdict}")
    return "\n".join(lines)
