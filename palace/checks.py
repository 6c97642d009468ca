"""Start-up checks that turn an unreachable database or Redis into one clear sentence."""

import asyncio
import sqlite3
from urllib.parse import urlsplit, urlunsplit

from redis.asyncio import Redis
from tortoise import Tortoise, connections

from palace.db import connection_config, open_database
from palace.migrate import pending
from palace.outbound_settings import get_outbound
from palace.settings import get_settings

TIMEOUT = 5


def redact(url: str) -> str:
    """The URL without its password, fit for a message or a log."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit(parts._replace(netloc=netloc))


async def database_problem() -> str | None:
    url = get_settings().database_url
    try:
        await asyncio.wait_for(_ping_database(url), TIMEOUT)
    except Exception as exc:
        advice = "Start PostgreSQL" if url.startswith("postgres") else "Check the folder"
        return (
            f"cannot reach the database at {redact(url)} ({type(exc).__name__}: {exc}). "
            f"{advice} or fix PALACE_DATABASE_URL."
        )
    return None


async def _ping_database(url: str) -> None:
    config = connection_config(url)
    if config["engine"] == "palace.sqlite_backend":
        # Plain sqlite3: a failed aiosqlite connect leaves its thread behind, which then
        # prints a traceback once the event loop has closed.
        sqlite3.connect(config["credentials"]["file_path"]).execute("SELECT 1").close()
        return
    await open_database(url)
    try:
        await connections.get("default").execute_query("SELECT 1")
    finally:
        await Tortoise.close_connections()


async def redis_problem() -> str | None:
    url = get_settings().redis_url
    client = Redis.from_url(url, socket_connect_timeout=TIMEOUT)
    try:
        await client.ping()
    except Exception as exc:
        return (
            f"cannot reach Redis at {redact(url)} ({type(exc).__name__}: {exc}). "
            "Start Redis or fix PALACE_REDIS_URL."
        )
    finally:
        await client.aclose()
    return None


async def schema_problem() -> str | None:
    missing = await pending()
    if missing:
        return f"the database needs {len(missing)} migration(s): run `palace migrate` first."
    return None


async def services_problem() -> str | None:
    """The first thing that stops Palace from starting, or None."""
    # Malformed channel settings stop the start (ConfigError), not a message later.
    get_outbound()
    return await database_problem() or await redis_problem() or await schema_problem()
