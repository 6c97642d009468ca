"""SQLite engine for Tortoise whose transactions take the write lock up front.

With several processes on one SQLite file (web + worker), a transaction that
reads before it writes cannot upgrade its lock and fails at once with
"database is locked", whatever busy_timeout says. ``BEGIN IMMEDIATE`` takes the
write lock when the transaction starts, so a second process waits for it
(up to busy_timeout) instead of failing.
"""

import sqlite3

from tortoise.backends.base.client import TransactionContext
from tortoise.backends.sqlite.client import (
    SqliteClient,
    SqliteTransactionContext,
    SqliteTransactionWrapper,
)
from tortoise.exceptions import TransactionManagementError


class ImmediateTransactionWrapper(SqliteTransactionWrapper):
    async def begin(self) -> None:
        try:
            await self._connection.commit()
            await self._connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise TransactionManagementError(exc) from exc


class PalaceSqliteClient(SqliteClient):
    def _in_transaction(self) -> TransactionContext:
        return SqliteTransactionContext(ImmediateTransactionWrapper(self), self._lock)


client_class = PalaceSqliteClient
