"""Tortoise configuration and the database's lifetime in a process."""

from typing import Any

from tortoise import Tortoise, connections
from tortoise.backends.base.config_generator import expand_db_url

from palace.settings import get_settings

MODEL_MODULES = ["palace.models"]
# Connections each process may open to PostgreSQL (a URL's ``?maxsize=`` overrides). A
# booking runs about ten statements, so requests that arrive together wait for one of
# Tortoise's default five; that wait, not PostgreSQL, made the slowest answers under load.
POOL_SIZE = 10
SQLITE_PRAGMAS = {"busy_timeout": 15000, "synchronous": "NORMAL", "foreign_keys": "ON"}


def connection_config(database_url: str) -> dict[str, Any]:
    """Tortoise connection settings for a URL (postgres://, postgresql://, sqlite://)."""
    if database_url.startswith("postgresql://"):
        database_url = "postgres://" + database_url.removeprefix("postgresql://")
    config = expand_db_url(database_url)
    if config["engine"] == "tortoise.backends.sqlite":
        config["engine"] = "palace.sqlite_backend"
        config["credentials"] = {**SQLITE_PRAGMAS, **config["credentials"]}
    elif config["engine"] == "tortoise.backends.asyncpg":
        config["credentials"] = {
            "maxsize": POOL_SIZE,
            **config["credentials"],
            "reset": _keep_session,
        }
    return config


async def _keep_session(connection: object) -> None:
    """asyncpg's pool runs ``RESET ALL; UNLISTEN *; ...`` on every release by default: a
    second round trip for each query outside a transaction. Palace sets no session state
    (its advisory locks are transaction-scoped), and asyncpg still rolls back a
    connection released inside a transaction before calling this."""


def tortoise_config(database_url: str | None = None) -> dict[str, Any]:
    url = database_url or get_settings().database_url
    return {
        "connections": {"default": connection_config(url)},
        "apps": {
            "models": {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": "palace.migrations",
            }
        },
        # Stored times are UTC, always: changing this later corrupts every timestamp.
        "use_tz": True,
        "timezone": "UTC",
    }


def dialect() -> str:
    return str(connections.get("default").capabilities.dialect)


async def open_database(database_url: str | None = None) -> None:
    await Tortoise.init(config=tortoise_config(database_url), _enable_global_fallback=True)


async def close_database() -> None:
    await Tortoise.close_connections()
