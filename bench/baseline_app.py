"""The stack's limit: bare Starlette doing the one SQL statement a booking cannot do without.

No ORM, no middleware, no session, no template: parse the same form, run the same kind of
conditional UPDATE on a ``bench_slots`` table in the same database, answer 200 or 409.
Served by uvicorn with as many processes as Palace, and a pool as large as Palace's.

    python -m uvicorn bench.baseline_app:create_app --factory --workers 2 --port 8100
"""

import os
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager

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
    status = await request.app.state.pool.execute(TAKE, resource, start)
    if status == "UPDATE 1":
        return PlainTextResponse("booked")
    return PlainTextResponse("just taken", status_code=409)


async def healthz(request: Request) -> Response:
    await request.app.state.pool.fetchval("SELECT 1")
    return PlainTextResponse("ok")


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    size = int(os.environ.get(POOL_ENV, "5"))
    url = os.environ[DATABASE_ENV]
    async with asyncpg.create_pool(url, min_size=1, max_size=size) as pool:
        app.state.pool = pool
        yield


def create_app() -> Starlette:
    routes = [
        Route("/book/{facility_code}", book, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
    ]
    return Starlette(routes=routes, lifespan=lifespan)


async def reset_table(url: str, slots: Iterable[tuple[int, int]], capacity: int = 1) -> None:
    """One free row per (resource id, epoch start), as Palace's slots start each round."""
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
    conn = await asyncpg.connect(url)
    try:
        row = await conn.fetchrow(
            "SELECT COALESCE(SUM(taken), 0) AS taken,"
            " COALESCE(SUM(GREATEST(taken - capacity, 0)), 0) AS over FROM bench_slots"
        )
    finally:
        await conn.close()
    return int(row["taken"]), int(row["over"])
