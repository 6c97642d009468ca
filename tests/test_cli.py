"""The ``palace`` command as an operator uses it, in real processes."""

import sqlite3

from palace.models import Member, Role
from palace.services.accounts import passwords
from tests.conftest import BACKEND
from tests.processes import palace


def test_migrate_on_an_up_to_date_database() -> None:
    result = palace("migrate")
    assert result.returncode == 0, result.stderr
    assert "Database is up to date." in result.stdout


async def _snapshot() -> dict[str, list[tuple[object, ...]]]:
    from tortoise import Tortoise, connections

    conn = connections.get("default")
    snapshot = {}
    for model in Tortoise.apps.get_models_iterable():  # type: ignore[union-attr]
        table = model._meta.db_table
        rows = await conn.execute_query_dict(f"SELECT * FROM {table} ORDER BY 1")  # noqa: S608
        snapshot[table] = [tuple(row.values()) for row in rows]
    return snapshot


async def test_seed_demo_twice_changes_nothing_the_second_time() -> None:
    first = palace("seed-demo")
    assert first.returncode == 0, first.stderr
    # Says what it made, by kind, not a bare count of items.
    assert (
        "Created 6 halls, 19 courts and rooms, 42 days of opening hours, 6 sets of booking "
        "rules, 1 room set up for classes, 4 classes, 3 instructors, 4 weekly class schedules, "
        "4 demo accounts." in first.stdout
    ), first.stdout
    for card in ("20260001", "20269001", "20268001", "20267001"):
        assert card in first.stdout
    before = await _snapshot()
    second = palace("seed-demo")
    assert second.returncode == 0, second.stderr
    assert "Nothing to change." in second.stdout
    assert await _snapshot() == before
    roles = {m.role for m in await Member.all()}
    assert roles == set(Role)
    assert len(before["facilities"]) == 6
    assert any(row for row in before["resources"])


async def test_create_user_with_a_role() -> None:
    result = palace(
        "create-user",
        "--card",
        "30001",
        "--name",
        "钱进",
        "--phone",
        "13700000001",
        "--role",
        "staff",
        "--password",
        "plan-the-week-9",
    )
    assert result.returncode == 0, result.stderr
    member = await Member.get(card_no="30001")
    assert member.role == Role.STAFF
    assert await passwords.verify_password(member.password_hash, "plan-the-week-9")


async def test_create_user_refuses_a_weak_password_clearly() -> None:
    result = palace(
        "create-user",
        "--card",
        "30002",
        "--name",
        "钱进",
        "--phone",
        "13700000002",
        "--password",
        "123",
    )
    assert result.returncode == 2
    assert "password: password_too_short" in result.stderr
    assert "Traceback" not in result.stderr
    assert not await Member.filter(card_no="30002").exists()


def test_unreachable_database_is_one_clear_sentence() -> None:
    url = (
        "postgres://nobody:secret@127.0.0.1:9/none"
        if BACKEND == "postgres"
        else ("sqlite:///nonexistent-dir/palace.sqlite3")
    )
    for command in ("serve", "worker", "migrate"):
        result = palace(command, env={"PALACE_DATABASE_URL": url}, timeout=30)
        assert result.returncode == 2, (command, result.stdout, result.stderr)
        assert "cannot reach the database" in result.stderr
        assert "Traceback" not in result.stderr
        assert "secret" not in result.stderr  # the password is not printed


def test_unreachable_redis_is_one_clear_sentence() -> None:
    for command in ("serve", "worker"):
        result = palace(command, env={"PALACE_REDIS_URL": "redis://127.0.0.1:9/0"}, timeout=30)
        assert result.returncode == 2, (command, result.stderr)
        assert "cannot reach Redis at redis://127.0.0.1:9/0" in result.stderr
        assert "Traceback" not in result.stderr


def test_bad_configuration_is_one_clear_sentence() -> None:
    result = palace("migrate", env={"PALACE_TIMEZONE": "Mars/Olympus"})
    assert result.returncode == 2
    assert "PALACE_TIMEZONE 'Mars/Olympus' is not a known time zone" in result.stderr


def test_secret_key_is_generated_once_into_var(tmp_path: object) -> None:
    from pathlib import Path

    var = Path(str(tmp_path))
    env = {"PALACE_VAR_DIR": str(var), "PALACE_DATABASE_URL": f"sqlite://{var}/x.sqlite3"}
    assert palace("migrate", env=env).returncode == 0
    key = (var / "secret_key").read_text()
    assert len(key) >= 40
    assert (var / "secret_key").stat().st_mode & 0o077 == 0
    assert palace("migrate", env=env).returncode == 0
    assert (var / "secret_key").read_text() == key
    assert sqlite3.connect(var / "x.sqlite3").execute(
        "SELECT count(*) FROM members"
    ).fetchone() == (0,)


async def test_seed_demo_leaves_a_real_member_with_a_demo_phone_alone() -> None:
    from palace.services.accounts import accounts

    await accounts.register(
        card_no="55550000", name="真实会员", phone="13800000001", password="real-person-77"
    )
    result = palace("seed-demo")
    assert result.returncode == 0, result.stderr
    assert "Skipped account 20260001 (phone_taken)" in result.stdout
    assert (await Member.get(phone="13800000001")).name == "真实会员"
