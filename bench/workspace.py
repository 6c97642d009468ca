"""What one bench run owns and must give back: a scratch database, a Redis db, a temp dir.

Everything here is undone in ``close()``, which runs on success, failure and Ctrl-C.
"""

import asyncio
import secrets
import shutil
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import redis

from bench import servers

# The claim keys the test suite uses (tests/conftest.py), so a bench and a test run
# never share a Redis db.
CLAIM_PREFIX = "palace-test:claim:"
CLAIM_SECONDS = 4 * 3600


def asyncpg_url(url: str) -> str:
    return "postgresql://" + url.removeprefix("postgres://").removeprefix("postgresql://")


async def _admin(admin_url: str, statement: str) -> None:
    conn = await asyncpg.connect(asyncpg_url(admin_url))
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


@dataclass
class Workspace:
    admin_url: str
    redis_url: str
    database: str = "postgres"  # or "sqlite": a file in var_dir
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:10])
    var_dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="palace-bench-")))
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(48))
    claimed_redis: int | None = None
    database_created: bool = False
    running: list[servers.Server] = field(default_factory=list)

    @property
    def database_name(self) -> str:
        return f"palace_bench_{self.run_id}"

    @property
    def database_url(self) -> str:
        if self.database == "sqlite":
            return f"sqlite://{self.var_dir / 'palace.sqlite3'}"
        return self.admin_url.rsplit("/", 1)[0] + f"/{self.database_name}"

    @property
    def baseline_url(self) -> str:
        """Where the baseline's table lives: the same database as Palace's."""
        if self.database == "sqlite":
            return f"sqlite://{self.var_dir / 'baseline.sqlite3'}"
        return asyncpg_url(self.database_url)

    def env(self) -> dict[str, str]:
        """What the Palace processes (and this one) read their settings from."""
        return {
            "PALACE_DATABASE_URL": self.database_url,
            "PALACE_REDIS_URL": self.redis_url,
            "PALACE_VAR_DIR": str(self.var_dir),
            "PALACE_SECRET_KEY": self.secret_key,
            "PALACE_LOG_LEVEL": "WARNING",
        }

    def open(self) -> None:
        if not self.redis_url:
            self.redis_url = self._claim_redis()
        if self.database == "sqlite":
            return
        asyncio.run(_admin(self.admin_url, f'CREATE DATABASE "{self.database_name}"'))
        self.database_created = True

    def close(self) -> None:
        for server in self.running:
            servers.stop(server)
        if self.database_created:
            drop = f'DROP DATABASE IF EXISTS "{self.database_name}" WITH (FORCE)'
            asyncio.run(_admin(self.admin_url, drop))
        if self.claimed_redis is not None:
            self._release_redis(self.claimed_redis)
        shutil.rmtree(self.var_dir, ignore_errors=True)

    def _claim_redis(self, base: str = "redis://127.0.0.1:6379") -> str:
        admin = redis.Redis.from_url(f"{base}/0")
        try:
            for number in range(1, 16):
                if admin.set(f"{CLAIM_PREFIX}{number}", self.run_id, nx=True, ex=CLAIM_SECONDS):
                    redis.Redis.from_url(f"{base}/{number}").flushdb()
                    self.claimed_redis = number
                    return f"{base}/{number}"
        finally:
            admin.close()
        raise RuntimeError("all Redis dbs 1-15 are claimed; pass --redis-url")

    def _release_redis(self, number: int, base: str = "redis://127.0.0.1:6379") -> None:
        redis.Redis.from_url(f"{base}/{number}").flushdb()
        admin = redis.Redis.from_url(f"{base}/0")
        if admin.get(f"{CLAIM_PREFIX}{number}") == self.run_id.encode():
            admin.delete(f"{CLAIM_PREFIX}{number}")
        admin.close()
