"""Back up the database to one file and restore it: pg_dump / pg_restore for PostgreSQL,
SQLite's online backup API for SQLite.

Every failure is a ``BackupError`` whose message is one sentence an operator can act on.
"""

import asyncio
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg  # type: ignore[import-untyped]

from palace.db import connection_config

# The first bytes of each kind of backup file: pg_dump's custom format and SQLite 3.
PG_MAGIC = b"PGDMP"
SQLITE_MAGIC = b"SQLite format 3\x00"
TIMEOUT = 10


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


def is_postgres(database_url: str) -> bool:
    return database_url.startswith(("postgres://", "postgresql://"))


def backup(database_url: str, target: Path) -> None:
    """Write a consistent copy of the live database to ``target``; safe while Palace runs.

    The copy is written beside ``target`` and renamed into place, so a failed backup never
    leaves a half-written file under the name a restore would trust.
    """
    partial = target.with_name(target.name + ".partial")
    try:
        if is_postgres(database_url):
            _pg_dump(database_url, partial)
        else:
            _sqlite_backup(_sqlite_path(database_url), partial)
        os.replace(partial, target)
    except OSError as error:
        raise BackupError(f"cannot write the backup to {target}: {error.strerror}.") from None
    finally:
        partial.unlink(missing_ok=True)


def restore(database_url: str, source: Path, *, force: bool = False) -> None:
    """Load the backup ``source`` into the configured database.

    Refuses a database that already holds tables unless ``force``, which empties it first.
    """
    kind = backup_kind(source)
    if is_postgres(database_url):
        if kind != "postgres":
            raise BackupError(f"{source} is {_described(kind)}, not a PostgreSQL backup.")
        _pg_restore(database_url, source, force=force)
    else:
        if kind != "sqlite":
            raise BackupError(f"{source} is {_described(kind)}, not an SQLite backup.")
        _sqlite_restore(source, _sqlite_path(database_url), force=force)


def backup_kind(path: Path) -> str:
    """ "postgres", "sqlite" or "other", from the file's first bytes."""
    try:
        with path.open("rb") as handle:
            head = handle.read(len(SQLITE_MAGIC))
    except OSError as error:
        raise BackupError(f"cannot read the backup {path}: {error.strerror}.") from None
    if head.startswith(PG_MAGIC):
        return "postgres"
    if head == SQLITE_MAGIC:
        return "sqlite"
    return "other"


def _described(kind: str) -> str:
    return {
        "postgres": "a PostgreSQL backup",
        "sqlite": "an SQLite backup",
        "other": "not a Palace backup (neither pg_dump's custom format nor SQLite)",
    }[kind]


# --- PostgreSQL ---------------------------------------------------------------------------


def libpq_url(database_url: str) -> str:
    """The URL as libpq reads it: postgresql:// scheme, without Tortoise's pool options."""
    parts = urlsplit(database_url)
    return urlunsplit(parts._replace(scheme="postgresql", query="", fragment=""))


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} is not installed; install PostgreSQL's client programs "
            "(Debian: apt-get install postgresql-client) in the server's major version."
        )
    return path


def _run(argv: list[str]) -> None:
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        lines = [line for line in result.stderr.strip().splitlines() if line.strip()]
        name = Path(argv[0]).name
        # pg_restore follows its error with the failed command's text: name the error.
        errors = [line for line in lines if "error:" in line]
        reason = (errors or lines or [f"exit status {result.returncode}"])[0]
        reason = reason.removeprefix(f"{name}: ").removeprefix("error: ").strip().rstrip(".")
        raise BackupError(f"{name} failed: {reason}.")


def _pg_dump(database_url: str, target: Path) -> None:
    # Without owners and grants: the restore runs as whichever role the new server uses.
    dump = _pg_tool("pg_dump")
    _run([dump, "--format=custom", "--no-owner", "--no-privileges", f"--file={target}",
          f"--dbname={libpq_url(database_url)}"])  # fmt: skip


def _pg_restore(database_url: str, source: Path, *, force: bool) -> None:
    restore_tool = _pg_tool("pg_restore")
    tables = asyncio.run(_pg_tables(database_url, empty_first=force))
    if tables and not force:
        raise BackupError(
            f"the database already holds {tables} table(s); restore into a new, empty "
            "database or pass --force to replace everything in it."
        )
    _run([restore_tool, "--no-owner", "--no-privileges", "--exit-on-error",
          "--single-transaction", f"--dbname={libpq_url(database_url)}", str(source)])  # fmt: skip


async def _pg_tables(database_url: str, *, empty_first: bool) -> int:
    """How many tables the public schema holds; with ``empty_first``, drop them all."""
    try:
        conn = await asyncpg.connect(libpq_url(database_url), timeout=TIMEOUT)
    except (TimeoutError, OSError, asyncpg.PostgresError) as error:
        raise BackupError(f"cannot reach the database to restore into: {error}.") from None
    try:
        if empty_first:
            # One statement each; the schema comes back owned by whoever restores.
            await conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
            await conn.execute("CREATE SCHEMA public")
        count = await conn.fetchval("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        return int(count)
    finally:
        await conn.close()


# --- SQLite -------------------------------------------------------------------------------


def _sqlite_path(database_url: str) -> Path:
    return Path(connection_config(database_url)["credentials"]["file_path"])


def _sqlite_backup(source: Path, target: Path) -> None:
    if not source.is_file():
        raise BackupError(f"there is no SQLite database at {source}; check PALACE_DATABASE_URL.")
    # The online backup API copies a consistent state while web and worker keep writing.
    src = sqlite3.connect(source, timeout=TIMEOUT)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        # One self-contained file: no write-ahead log beside it to forget when copying.
        dst.execute("PRAGMA journal_mode = DELETE")
    finally:
        dst.close()
        src.close()


def _sqlite_tables(path: Path) -> int:
    if not path.exists() or path.stat().st_size == 0:
        return 0
    conn = sqlite3.connect(path, timeout=TIMEOUT)
    try:
        query = "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
        return int(conn.execute(query).fetchone()[0])
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a readable SQLite database ({error}).") from None
    finally:
        conn.close()


def _sqlite_restore(source: Path, target: Path, *, force: bool) -> None:
    """Copy the backup into place. No Palace process may have the database open meanwhile:
    one would keep writing to the file that was replaced."""
    _check_sqlite(source)
    tables = _sqlite_tables(target)
    if tables and not force:
        raise BackupError(
            f"{target} already holds {tables} table(s); stop Palace and pass --force to "
            "replace it, or point PALACE_DATABASE_URL at a new file."
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    incoming = target.with_name(target.name + ".restoring")
    try:
        shutil.copyfile(source, incoming)
        # The old database's write-ahead log would be replayed onto the restored file.
        for suffix in ("-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        os.replace(incoming, target)
    finally:
        incoming.unlink(missing_ok=True)


def _check_sqlite(path: Path) -> None:
    conn = sqlite3.connect(path, timeout=TIMEOUT)
    try:
        verdict = conn.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is a damaged SQLite file ({error}).") from None
    finally:
        conn.close()
    if verdict != "ok":
        raise BackupError(f"{path} is a damaged SQLite file ({verdict}).")
