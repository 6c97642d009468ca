"""The stack's limit: bare Starlette doing the one SQL statement a booking cannot do without.

No ORM, no middleware, no session, no template: parse the same form, run the same kind of
conditional UPDATE on a ``bench_slots`` table in the same database, answer 200 or 409.
Served by uvicorn with as many processes as Palace, and a pool as large as Palace's.
With a ``sqlite://`` URL it keeps one aiosqlite connection per process instead (as
Tortoise does) and stores the start as epoch seconds.

    python -m uvicorn bench.baseline_app:create_app --factory --workers 2 --port 8100
"""

import os
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager

import aiosqlite
import asyncpg
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

DATABASE_ENV = "BENCH_DATABASE_URL"
POOL_ENV = "BENCH_POOL_SIZE"
TAKE = """
UPDATE bench_slots SET taken = taken + 1
WHERE resource_id = $1 AND starts_at = to_timestamp($2) AND taken < capacity
"""
TAKE_SQLITE = """
UPDATE bench_slots SET taken = taken + 1
WHERE resource_id = ? AND starts_at = ? AND taken < capacity
"""
CREATE_SQLITE = """
CREATE TABLE IF NOT EXISTS bench_slots (
    id INTEGER PRIMARY KEY,
    resource_id INTEGER NOT NULL,
    starts_at INTEGER NOT NULL,
    capacity INTEGER NOT NULL,
    taken INTEGER NOT NULL DEFAULT 0,
    UNIQUE (resource_id, starts_at)
)
"""
CREATE = """
CREATE TABLE IF NOT EXISTS bench_slots (
    id serial PRIMARY KEY,
    resource_id integer NOT NULL,
    starts_at timestamptz NOT NULL,
    capacity integer NOT NULL,
    taken integer NOT NULL DEFAULT 0,
    UNIQUE (resource_id, starts_at)
)
"""


async def book(request: Request) -> Response:
    form = await request.form()
    try:
        resource, start = int(str(form["resource"])), int(str(form["start"]))
    except (KeyError, ValueError):
        return PlainTextResponse("bad form", status_code=400)
    if await request.app.state.take(resource, start):
        return PlainTextResponse("booked")
    return PlainTextResponse("just taken", status_code=409)


async def healthz(request: Request) -> Response:
    await request.app.state.ping()
    return PlainTextResponse("ok")


def sqlite_path(url: str) -> str:
    return url.removeprefix("sqlite://")


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    size = int(os.environ.get(POOL_ENV, "5"))
    url = os.environ[DATABASE_ENV]
    if url.startswith("sqlite://"):
        async with aiosqlite.connect(sqlite_path(url), isolation_level=None) as conn:
            await conn.execute("PRAGMA journal_mode=WAL")
            await conn.execute("PRAGMA busy_timeout=15000")

            async def take_sqlite(resource: int, start: int) -> bool:
                cursor = await conn.execute(TAKE_SQLITE, (resource, start))
                return cursor.rowcount == 1

            app.state.take = take_sqlite
            app.state.ping = lambda: conn.execute("SELECT 1")
            yield
        return
    async with asyncpg.create_pool(url, min_size=1, max_size=size) as pool:

        async def take(resource: int, start: int) -> bool:
            return bool(await pool.execute(TAKE, resource, start) == "UPDATE 1")

        app.state.take = take
        app.state.ping = lambda: pool.fetchval("SELECT 1")
        yield


def create_app() -> Starlette:
    routes = [
        Route("/book/{facility_code}", book, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
    ]
    return Starlette(routes=routes, lifespan=lifespan)


async def reset_table(url: str, slots: Iterable[tuple[int, int]], capacity: int = 1) -> None:
    """One free row per (resource id, epoch start), as Palace's slots start each round."""
    if url.startswith("sqlite://"):
        async with aiosqlite.connect(sqlite_path(url)) as db:
            await db.execute("PRAGMA journal_mode=WAL")
            await db.execute(CREATE_SQLITE)
            await db.execute("DELETE FROM bench_slots")
            await db.executemany(
                "INSERT INTO bench_slots (resource_id, starts_at, capacity) VALUES (?, ?, ?)",
                [(resource, start, capacity) for resource, start in slots],
            )
            await db.commit()
        return
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(CREATE)
        await conn.execute("TRUNCATE bench_slots")
        await conn.executemany(
            "INSERT INTO bench_slots (resource_id, starts_at, capacity)"
            " VALUES ($1, to_timestamp($2), $3)",
            [(resource, start, capacity) for resource, start in slots],
        )
    finally:
        await conn.close()


async def taken_and_overbooked(url: str) -> tuple[int, int]:
    """Places taken in all, and places taken beyond capacity (must be 0)."""
    query = (
        "SELECT COALESCE(SUM(taken), 0) AS taken,"
        " COALESCE(SUM(CASE WHEN taken > capacity THEN taken - capacity ELSE 0 END), 0)"
        " AS over FROM bench_slots"
    )
    if url.startswith("sqlite://"):
        async with aiosqlite.connect(sqlite_path(url)) as db:
            found = await (await db.execute(query)).fetchone()
        assert found is not None
        return int(found[0]), int(found[1])
    conn = await asyncpg.connect(url)
    try:
        row = await conn.fetchrow(query)
    finally:
        await conn.close()
    return int(row["taken"]), int(row["over"])
