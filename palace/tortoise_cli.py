"""Config for Tortoise's own CLI (``tortoise makemigrations``), used by developers."""

from palace.db import tortoise_config

TORTOISE_ORM = tortoise_config()
