"""``palace backup`` / ``palace restore``: a backup restored into a fresh database holds
every booking and the audit trail, on the database this run uses (PALACE_TEST_DATABASE).
"""

import asyncio
import os
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from palace import backup
from palace.models import BookingStatus
from palace.services.booking import bookings
from tests.conftest import BACKEND, POSTGRES_BASE, RUN_ID, _postgres
from tests.helpers import court, make_hall, make_member, slot_at
from tests.processes import palace

# Every table a restore must bring back as it was; bookings and audit events are the point.
BOOKINGS = "SELECT id, member_id, slot_id, resource_id, status, starts_at FROM bookings ORDER BY id"
AUDIT = "SELECT * FROM audit_events ORDER BY id"
NEW_MEMBER = ("create-user", "--card", "40001", "--name", "孙立", "--phone", "13700000041",
              "--password", "after-the-backup-7")  # fmt: skip
TABLES = ("members", "slots", "bookings", "audit_events", "login_sessions", "tortoise_migrations")


async def _rows(database_url: str, query: str) -> list[tuple[object, ...]]:
    """Rows read straight from a database file or server, not through Palace."""
    if database_url.startswith("sqlite://"):
        db = sqlite3.connect(database_url.removeprefix("sqlite://"))
        try:
            return [tuple(row) for row in db.execute(query).fetchall()]
        finally:
            db.close()
    conn = await asyncpg.connect(database_url.replace("postgres://", "postgresql://", 1))
    try:
        return [tuple(row) for row in await conn.fetch(query)]
    finally:
        await conn.close()


@pytest.fixture
def fresh_database(tmp_path: Path) -> Iterator[str]:
    """The URL of a new, empty database of this run's kind, removed afterwards."""
    if BACKEND == "sqlite":
        yield f"sqlite://{tmp_path / 'restored.sqlite3'}"
        return
    name = f"palace_test_{RUN_ID}_restored"
    asyncio.run(_postgres(f'CREATE DATABASE "{name}"'))
    try:
        yield POSTGRES_BASE.rsplit("/", 1)[0] + f"/{name}"
    finally:
        asyncio.run(_postgres(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _bookings_made() -> list[int]:
    """Three members' bookings on two courts, one of them cancelled: ids in order."""
    hall = await make_hall(courts=2)
    first, second, third = await make_member(), await make_member(), await make_member()
    made = []
    for member, n, hour in ((first, 1, 10), (second, 2, 10), (third, 1, 11)):
        resource = await court(hall, n)
        booking = await bookings.book(
            member_id=member.id, resource_id=resource.id, starts_at=slot_at(hour=hour)
        )
        made.append(booking.id)
    await bookings.cancel(member_id=second.id, booking_id=made[1])
    return made


def _original() -> str:
    return os.environ["PALACE_DATABASE_URL"]


async def test_a_backup_restored_into_a_fresh_database_has_every_booking(
    tmp_path: Path, fresh_database: str
) -> None:
    made = await _bookings_made()
    backup_file = tmp_path / "palace.backup"
    result = palace("backup", str(backup_file))
    assert result.returncode == 0, result.stderr
    assert f"Backed up to {backup_file}." in result.stdout

    restored = palace("restore", str(backup_file), env={"PALACE_DATABASE_URL": fresh_database})
    assert restored.returncode == 0, restored.stderr

    found = await _rows(fresh_database, BOOKINGS)
    assert [row[0] for row in found] == made
    statuses = [row[4] for row in found]
    assert statuses == [BookingStatus.CONFIRMED, BookingStatus.CANCELLED, BookingStatus.CONFIRMED]
    assert found == await _rows(_original(), BOOKINGS)
    trail = await _rows(fresh_database, AUDIT)
    assert len(trail) >= 4  # three bookings and a cancellation, at least
    assert trail == await _rows(_original(), AUDIT)
    for table in TABLES:
        query = f"SELECT * FROM {table} ORDER BY 1"  # noqa: S608
        assert await _rows(fresh_database, query) == await _rows(_original(), query), table
    # Palace itself takes the restored database as its own, schema up to date.
    migrated = palace("migrate", env={"PALACE_DATABASE_URL": fresh_database})
    assert "Database is up to date." in migrated.stdout, migrated.stderr


async def test_restore_refuses_a_database_in_use_unless_forced(
    tmp_path: Path, fresh_database: str
) -> None:
    made = await _bookings_made()
    backup_file = tmp_path / "palace.backup"
    assert palace("backup", str(backup_file)).returncode == 0
    env = {"PALACE_DATABASE_URL": fresh_database}
    assert palace("restore", str(backup_file), env=env).returncode == 0
    # A member added after the backup: a forced restore must take the database back.
    added = palace(*NEW_MEMBER, env=env)
    assert added.returncode == 0, added.stderr
    members = await _rows(fresh_database, "SELECT card_no FROM members ORDER BY id")
    assert members[-1] == ("40001",)
    again = palace("restore", str(backup_file), env=env)
    assert again.returncode == 2
    assert "already holds" in again.stderr and "--force" in again.stderr
    assert await _rows(fresh_database, "SELECT card_no FROM members ORDER BY id") == members
    forced = palace("restore", "--force", str(backup_file), env=env)
    assert forced.returncode == 0, forced.stderr
    assert [row[0] for row in await _rows(fresh_database, BOOKINGS)] == made
    cards = await _rows(fresh_database, "SELECT card_no FROM members ORDER BY id")
    assert cards == members[:-1]


def test_restore_names_a_missing_or_foreign_file_in_one_sentence(
    tmp_path: Path, fresh_database: str
) -> None:
    env = {"PALACE_DATABASE_URL": fresh_database}
    missing = palace("restore", str(tmp_path / "nowhere.backup"), env=env)
    assert missing.returncode == 2
    assert missing.stderr.strip() == (
        f"palace: cannot read the backup {tmp_path / 'nowhere.backup'}: No such file or directory."
    )
    notes = tmp_path / "notes.txt"
    notes.write_text("not a backup\n")
    foreign = palace("restore", str(notes), env=env)
    assert foreign.returncode == 2
    assert "is not a Palace backup" in foreign.stderr
    assert len(foreign.stderr.strip().splitlines()) == 1
    # A backup of the other kind of database is refused by name.
    other = tmp_path / "other.backup"
    if BACKEND == "sqlite":
        other.write_bytes(b"PGDMP\x01\x0e\x00" + bytes(64))
        expected = "is a PostgreSQL backup, not an SQLite backup."
    else:
        sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
        expected = "is an SQLite backup, not a PostgreSQL backup."
    wrong = palace("restore", str(other), env=env)
    assert wrong.returncode == 2
    assert expected in wrong.stderr


@pytest.mark.skipif(BACKEND != "postgres", reason="pg_dump is for PostgreSQL only")
def test_backup_says_when_pg_dump_is_missing(tmp_path: Path) -> None:
    result = palace("backup", str(tmp_path / "b"), env={"PATH": str(tmp_path)})
    assert result.returncode == 2
    assert result.stderr.startswith("palace: pg_dump is not installed;")
    assert not (tmp_path / "b").exists()


@pytest.mark.skipif(BACKEND != "sqlite", reason="a write-ahead log file is SQLite's")
async def test_a_forced_restore_leaves_no_old_write_ahead_log_behind(tmp_path: Path) -> None:
    await _bookings_made()
    backup_file = tmp_path / "palace.backup"
    assert palace("backup", str(backup_file)).returncode == 0
    target = tmp_path / "crashed.sqlite3"
    _crashed_database(target)
    env = {"PALACE_DATABASE_URL": f"sqlite://{target}"}
    forced = palace("restore", "--force", str(backup_file), env=env)
    assert forced.returncode == 0, forced.stderr
    restored = await _rows(f"sqlite://{target}", BOOKINGS)
    assert restored == await _rows(_original(), BOOKINGS)


def _crashed_database(target: Path) -> None:
    """The state a crashed process leaves: writes still in the -wal file beside the file."""
    db = sqlite3.connect(target)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("CREATE TABLE bookings (id INTEGER)")
    db.execute("INSERT INTO bookings VALUES (99)")
    db.commit()
    stale = Path(f"{target}-wal").read_bytes()
    db.close()  # checkpoints and removes the log: put it back as a crash would leave it
    Path(f"{target}-wal").write_bytes(stale)


def test_the_nightly_script_keeps_only_the_days_asked_for(tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    old, recent = folder / "palace-20200101T033000Z.backup", folder / "palace-recent.backup"
    for path, days in ((old, 20), (recent, 2)):
        path.write_bytes(b"an earlier backup")
        stamp = time.time() - days * 86400
        os.utime(path, (stamp, stamp))
    script = Path(__file__).resolve().parent.parent / "deploy" / "palace-backup.sh"
    env = {**os.environ, "PALACE_BACKUP_KEEP_DAYS": "14"}
    done = subprocess.run([str(script), str(folder)], env=env, capture_output=True, text=True,
                          check=False, timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
    made = sorted(p.name for p in folder.iterdir() if p not in (old, recent))
    assert len(made) == 1 and made[0].startswith("palace-")
    assert old.exists() is False and recent.exists()
    kind = "postgres" if BACKEND == "postgres" else "sqlite"
    assert backup.backup_kind(folder / made[0]) == kind
