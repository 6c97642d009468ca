"""Database round trips of one booking request, counted in the bench's own process.

The app runs in-process (httpx's ASGI transport) on the scratch database; every
statement that reaches the database driver is counted: on PostgreSQL each asyncpg
call that waits for the server (BEGIN and COMMIT included, and the pool's reset
statement if one runs), on SQLite each statement the connection executes.
Statements are warmed up first, so asyncpg's prepared-statement cache is as in a
running server.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx
from tortoise import connections

from bench import fixture
from bench.fixture import Login, Target

BASE = "http://127.0.0.1:8000"


@dataclass
class Counter:
    statements: int = 0


@contextmanager
def _counting_asyncpg(counter: Counter) -> Iterator[None]:
    cls = asyncpg.connection.Connection
    originals = {name: getattr(cls, name) for name in ("execute", "_execute", "_executemany")}

    def wrap(name: str) -> Callable[..., Any]:
        original = originals[name]

        async def counted(self: Any, query: str, *args: Any, **kwargs: Any) -> Any:
            # execute() with arguments goes through _execute(): count it there only.
            if name != "execute" or not args:
                counter.statements += 1
            return await original(self, query, *args, **kwargs)

        return counted

    for name in originals:
        setattr(cls, name, wrap(name))
    try:
        yield
    finally:
        for name, original in originals.items():
            setattr(cls, name, original)


async def _trace_sqlite(counter: Counter | None) -> None:
    client: Any = connections.get("default")
    await client.create_connection(with_db=True)
    raw = client._connection  # aiosqlite.Connection
    callback = None if counter is None else (lambda _sql: _bump(counter))
    await raw.set_trace_callback(callback)


def _bump(counter: Counter) -> None:
    counter.statements += 1


async def _post(client: httpx.AsyncClient, login: Login, target: Target) -> int:
    headers = {
        "Cookie": fixture.cookie_header(login),
        "X-CSRF-Token": login.csrf,
        "Origin": BASE,
        "HX-Request": "true",
    }
    form = {"resource": str(target.resource_id), "start": str(target.start)}
    response = await client.post("/book/rush", data=form, headers=headers)
    return response.status_code


async def _counted(
    client: httpx.AsyncClient, login: Login, target: Target, dialect: str
) -> tuple[int, int]:
    counter = Counter()
    if dialect == "sqlite":
        await _trace_sqlite(counter)
        try:
            status = await _post(client, login, target)
        finally:
            await _trace_sqlite(None)
    else:
        with _counting_asyncpg(counter):
            status = await _post(client, login, target)
    return status, counter.statements


async def booking_round_trips(logins: list[Login], targets: list[Target]) -> dict[int, int]:
    """{200: round trips of a winning booking, 409: of a "just taken" answer}.

    Uses the first four members and two free targets; call between rounds (it books).
    """
    from palace import queue
    from palace.redis_client import close_redis, open_redis
    from palace.services.accounts import throttle
    from palace.settings import get_settings
    from palace.web.app import create_app

    dialect = str(connections.get("default").capabilities.dialect)
    app = create_app()  # its lifespan does not run: the database is open here already
    redis_url = get_settings().redis_url
    await open_redis(redis_url)
    queue.open_queue(redis_url)
    throttle.open_throttle(redis_url)
    found: dict[int, int] = {}
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
            for warm in (True, False):
                target = targets[0] if warm else targets[1]
                first, second = (logins[0], logins[1]) if warm else (logins[2], logins[3])
                won = await _counted(client, first, target, dialect)
                lost = await _counted(client, second, target, dialect)
                if not warm:
                    found = {won[0]: won[1], lost[0]: lost[1]}
    finally:
        await queue.close_queue()
        await close_redis()
    return found
