"""Test set-up: one database and one Redis db per run, a migrated schema, clean tables.

PALACE_TEST_DATABASE picks the backend (sqlite or postgres); scripts/test runs both.
Everything is real: the database, Redis, worker processes and the browser.
"""

import asyncio
import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import redis
from starlette.applications import Starlette
from tortoise import Tortoise, connections

BACKEND = os.environ.get("PALACE_TEST_DATABASE", "sqlite")
RUN_ID = uuid.uuid4().hex[:10]
REDIS_BASE = os.environ.get("PALACE_TEST_REDIS_URL", "redis://127.0.0.1:6379").rstrip("/")
POSTGRES_BASE = os.environ.get(
    "PALACE_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"
)
OUTPUT_DIR = Path(__file__).resolve().parent.parent / "test-output" / BACKEND
CLAIM_PREFIX = "palace-test:claim:"


def _claim_redis_db() -> int:
    """A Redis db number no other test run is using (claims live in db 0 and expire)."""
    admin = redis.Redis.from_url(f"{REDIS_BASE}/0")
    try:
        for number in range(1, 16):
            if admin.set(f"{CLAIM_PREFIX}{number}", RUN_ID, nx=True, ex=4 * 3600):
                redis.Redis.from_url(f"{REDIS_BASE}/{number}").flushdb()
                return number
    finally:
        admin.close()
    raise RuntimeError("all Redis dbs 1-15 are claimed by other test runs")


def _release_redis_db(number: int) -> None:
    redis.Redis.from_url(f"{REDIS_BASE}/{number}").flushdb()
    admin = redis.Redis.from_url(f"{REDIS_BASE}/0")
    if admin.get(f"{CLAIM_PREFIX}{number}") == RUN_ID.encode():
        admin.delete(f"{CLAIM_PREFIX}{number}")
    admin.close()


async def _postgres(statement: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(POSTGRES_BASE.replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


def _database_url(var_dir: Path) -> str:
    if BACKEND == "sqlite":
        return f"sqlite://{var_dir / 'palace-test.sqlite3'}"
    if BACKEND == "postgres":
        name = f"palace_test_{RUN_ID}"
        asyncio.run(_postgres(f'CREATE DATABASE "{name}"'))
        return POSTGRES_BASE.rsplit("/", 1)[0] + f"/{name}"
    raise pytest.UsageError(f"PALACE_TEST_DATABASE must be sqlite or postgres, not {BACKEND!r}")


def pytest_configure(config: pytest.Config) -> None:
    var_dir = Path(tempfile.mkdtemp(prefix=f"palace-test-{RUN_ID}-"))
    db_number = _claim_redis_db()
    os.environ.update(
        PALACE_VAR_DIR=str(var_dir),
        PALACE_DATABASE_URL=_database_url(var_dir),
        PALACE_REDIS_URL=f"{REDIS_BASE}/{db_number}",
        PALACE_LOG_LEVEL="WARNING",
        # httpx's in-process client asks for "testserver"; servers started by tests, 127.0.0.1.
        PALACE_ALLOWED_HOSTS="testserver,127.0.0.1,localhost",
    )
    os.environ.pop("PALACE_SECRET_KEY", None)
    config.stash[_state_key] = (var_dir, db_number)

    from argon2 import profiles

    from palace.migrate import migrate
    from palace.services.accounts import passwords

    # Hashing is slow on purpose; the suite hashes hundreds of times (servers it starts
    # keep the real cost, see test_passwords).
    passwords.use_parameters(profiles.CHEAPEST)
    asyncio.run(migrate())


def pytest_unconfigure(config: pytest.Config) -> None:
    if _state_key not in config.stash:
        return
    var_dir, db_number = config.stash[_state_key]
    _release_redis_db(db_number)
    if BACKEND == "postgres":
        name = f"palace_test_{RUN_ID}"
        asyncio.run(_postgres(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    shutil.rmtree(var_dir, ignore_errors=True)


def pytest_report_header(config: pytest.Config) -> str:
    return f"palace: database={BACKEND} url={os.environ.get('PALACE_DATABASE_URL')}"


_state_key = pytest.StashKey[tuple[Path, int]]()


@pytest.fixture(scope="session")
async def app() -> AsyncIterator[Starlette]:
    from palace.web.app import create_app

    application = create_app()
    async with application.router.lifespan_context(application):
        yield application


async def _truncate() -> None:
    tables = [model._meta.db_table for model in Tortoise.apps.get_models_iterable()]  # type: ignore[union-attr]
    conn = connections.get("default")
    if BACKEND == "postgres":
        await conn.execute_script(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
    else:
        # Foreign keys off while emptying: RESTRICT keys would make the order matter.
        deletes = "".join(f"DELETE FROM {table};" for table in tables)  # noqa: S608
        await conn.execute_script(f"PRAGMA foreign_keys = OFF;{deletes}PRAGMA foreign_keys = ON;")


# Try the suite at another hour of the palace's day: PALACE_TEST_TIME_OF_DAY=23:45 makes
# the test process's clock (palace.services.core.clock) start every test at 23:45 today. A
# test must pass at any hour; tests that need a particular hour set the clock themselves.
# Browser journeys run the real clock in their server processes, so they are left alone.
TIME_OF_DAY = os.environ.get("PALACE_TEST_TIME_OF_DAY", "")


@pytest.fixture(autouse=True)
def time_of_day(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    from palace.services.core import clock

    if not TIME_OF_DAY or "e2e" in request.node.path.parts:
        return
    real_now = clock.now
    minute = clock.parse_minute(TIME_OF_DAY)
    assert minute is not None, f"PALACE_TEST_TIME_OF_DAY={TIME_OF_DAY!r} is not HH:MM"
    offset = clock.at(clock.today(), minute) - real_now()
    monkeypatch.setattr(clock, "now", lambda: real_now() + offset)


@pytest.fixture(autouse=True)
async def clean_state(app: Starlette) -> None:
    """Every test starts with empty tables and an empty Redis db."""
    from palace.redis_client import get_redis

    await _truncate()
    await get_redis().flushdb()


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest.fixture
def output_dir(request: pytest.FixtureRequest) -> Path:
    """Where a test leaves files for people to look at (screenshots), kept after the run."""
    path = OUTPUT_DIR / request.node.name
    path.mkdir(parents=True, exist_ok=True)
    return path
