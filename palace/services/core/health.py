"""Is the database reachable, is Redis, and when did a worker last check in."""

import time
from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise import connections

from palace.redis_client import get_redis

HEARTBEAT_KEY = "palace:worker:heartbeat"
# A worker writes its heartbeat every minute; three missed beats mean trouble.
HEARTBEAT_STALE_SECONDS = 180


@dataclass(frozen=True)
class Check:
    ok: bool
    latency_ms: float
    error: str | None = None


@dataclass(frozen=True)
class Health:
    database: Check
    redis: Check
    worker_last_seen: datetime | None

    @property
    def ok(self) -> bool:
        """All is well: the database and Redis answer and a worker checked in lately."""
        return self.database.ok and self.redis.ok and self.worker_ok

    @property
    def worker_ok(self) -> bool:
        if self.worker_last_seen is None:
            return False
        age = datetime.now(UTC) - self.worker_last_seen
        return age.total_seconds() < HEARTBEAT_STALE_SECONDS


async def check_database() -> Check:
    started = time.perf_counter()
    try:
        await connections.get("default").execute_query("SELECT 1")
    except Exception as exc:  # any failure here is the answer, not a crash
        return Check(False, _ms(started), f"{type(exc).__name__}: {exc}")
    return Check(True, _ms(started))


async def check_redis() -> Check:
    started = time.perf_counter()
    try:
        await get_redis().ping()
    except Exception as exc:
        return Check(False, _ms(started), f"{type(exc).__name__}: {exc}")
    return Check(True, _ms(started))


async def worker_last_seen() -> datetime | None:
    try:
        raw = await get_redis().get(HEARTBEAT_KEY)
    except Exception:
        return None
    return datetime.fromtimestamp(float(raw), UTC) if raw else None


async def check() -> Health:
    return Health(await check_database(), await check_redis(), await worker_last_seen())


async def record_worker_heartbeat() -> None:
    await get_redis().set(HEARTBEAT_KEY, str(time.time()), ex=24 * 3600)


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)
