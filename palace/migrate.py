"""Apply Tortoise's built-in migrations (palace/migrations) and report what is pending."""

from tortoise import Tortoise
from tortoise.connection import get_connection
from tortoise.migrations.api import migrate as tortoise_migrate
from tortoise.migrations.executor import MigrationExecutor

from palace.db import tortoise_config


def _progress(event: str, app_label: str, name: str) -> None:
    if event.startswith("apply") and event.endswith("start"):
        print(f"  applying {app_label}.{name}")


async def migrate(database_url: str | None = None) -> None:
    try:
        await tortoise_migrate(config=tortoise_config(database_url), progress=_progress)
    finally:
        await Tortoise.close_connections()


async def pending(database_url: str | None = None) -> list[str]:
    """Names of migrations not yet applied to the database."""
    config = tortoise_config(database_url)
    await Tortoise.init(config=config, init_connections=False)
    try:
        executor = MigrationExecutor(get_connection("default"), config["apps"])
        steps = await executor.plan(None)
        return [step.migration.name for step in steps if not step.backward]
    finally:
        await Tortoise.close_connections()
