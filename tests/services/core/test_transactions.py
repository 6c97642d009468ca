"""One way for a service to open a transaction: ``after_commit.transaction()``.

The source of every module under palace/services and palace/demo is read for any
other way (Tortoise's ``in_transaction`` or ``atomic``, a connection's own
``_in_transaction``, SQL that begins or ends a transaction), and services that used a
plain transaction before are run to show their jobs reach the queue at the commit,
not a minute later with the sweep.
"""

import ast
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from tortoise.transactions import in_transaction

from palace import queue
from palace.models import (
    Booking,
    BookingStatus,
    ClassSession,
    Notification,
    OutboundChoice,
    Role,
    Slot,
)
from palace.services.accounts import admin
from palace.services.booking import bookings
from palace.services.classes import class_sessions, classes
from palace.services.core import after_commit, clock
from palace.services.desk import noshows, walkins
from palace.services.waitlist import waitlists
from tests.class_helpers import freeze, make_schedule
from tests.helpers import court, make_hall, make_member, slot_at

ROOT = Path(__file__).resolve().parents[3]
SCANNED = (ROOT / "palace" / "services", ROOT / "palace" / "demo")
THE_HELPER = ROOT / "palace" / "services" / "core" / "after_commit.py"
# Names through which Tortoise opens a transaction, as the library or a connection.
OTHER_WAYS = {"in_transaction", "_in_transaction", "atomic", "transactions"}
SQL_TRANSACTION = re.compile(
    r"^\s*(BEGIN|START\s+TRANSACTION|COMMIT|ROLLBACK|SAVEPOINT|RELEASE\s+SAVEPOINT)\b",
    re.IGNORECASE,
)


def other_ways(source: str) -> list[str]:
    """Where ``source`` opens a transaction other than through after_commit."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
            "tortoise.transactions"
        ):
            found.append(f"line {node.lineno}: from {node.module} import …")
        elif isinstance(node, ast.ImportFrom | ast.Import):
            names = {alias.name.rsplit(".", 1)[-1] for alias in node.names}
            found += [f"line {node.lineno}: import {name}" for name in names & OTHER_WAYS]
        elif isinstance(node, ast.Attribute) and node.attr in OTHER_WAYS:
            found.append(f"line {node.lineno}: .{node.attr}")
        elif isinstance(node, ast.Name) and node.id in OTHER_WAYS:
            found.append(f"line {node.lineno}: {node.id}")
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and SQL_TRANSACTION.match(node.value)
        ):
            found.append(f"line {node.lineno}: SQL {node.value.split()[0]}")
    return found


def test_services_open_transactions_only_through_after_commit() -> None:
    modules = [path for folder in SCANNED for path in sorted(folder.rglob("*.py"))]
    assert len(modules) > 40  # the scan sees the packages, not an empty folder
    offenders = {
        str(path.relative_to(ROOT)): found
        for path in modules
        if path != THE_HELPER and (found := other_ways(path.read_text()))
    }
    assert offenders == {}


@pytest.mark.parametrize(
    "source",
    [
        "from tortoise.transactions import in_transaction",
        "from tortoise.transactions import atomic as whole",
        "from tortoise import transactions",
        "import tortoise.transactions",
        "async def f():\n    async with tortoise.transactions.in_transaction('default'):\n"
        "        pass",
        "async def f(conn):\n    async with conn._in_transaction():\n        pass",
        "async def f(conn):\n    await conn.execute_script('BEGIN IMMEDIATE')",
        "STATEMENT = '''\n  start transaction;'''",
        "async def f(conn):\n    await conn.execute_query('SAVEPOINT one')",
    ],
)
def test_the_scan_sees_every_other_way(source: str) -> None:
    assert other_ways(source) != []


def test_the_scan_sees_the_helper_itself() -> None:
    # The one module allowed to call Tortoise's in_transaction does, and is seen doing it.
    assert other_ways(THE_HELPER.read_text()) != []
    assert other_ways("async with after_commit.transaction():\n    pass") == []


async def _helper_inside_a_plain_one() -> None:
    async with in_transaction(), after_commit.transaction():
        pass


async def _job_inside_a_plain_one() -> None:
    async with in_transaction():
        await after_commit.enqueue("heartbeat", job_id="inside-a-plain-one")


async def test_a_plain_transaction_around_the_helper_is_refused() -> None:
    """A job recorded inside someone else's transaction would wait for the sweep."""
    with pytest.raises(after_commit.ForeignTransaction):
        await _helper_inside_a_plain_one()
    with pytest.raises(after_commit.ForeignTransaction):
        await _job_inside_a_plain_one()
    assert await _queued() == []


async def _queued() -> list[str]:
    pool = queue.get_queue()
    assert pool is not None
    return sorted(job.job_id for job in await pool.queued_jobs())


async def test_a_walk_in_queues_its_message_when_it_commits(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    desk, member = await make_member(role=Role.DESK), await make_member()
    await OutboundChoice.create(member_id=member.id, kind="booked")
    resource, start = await court(await make_hall()), slot_at(1)
    monkeypatch.setattr(clock, "now", lambda: start + timedelta(minutes=5))
    result = await walkins.walk_in(
        actor_id=desk.id, resource_id=resource.id, starts_at=start, card=member.card_no
    )
    assert result.code == "walked_in"
    told = await Notification.filter(member_id=member.id)
    assert [n.kind for n in told] == ["booked"]
    assert await _queued() == [f"deliver:{told[0].id}"]


async def test_a_cancelled_class_queues_its_messages_when_it_commits(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    freeze(monkeypatch, datetime(2026, 11, 23, 10, 0))
    schedule = await make_schedule()
    session = await ClassSession.filter(schedule_id=schedule.id).order_by("starts_at").first()
    assert session is not None
    member, staff = await make_member(), await make_member(role=Role.STAFF)
    await OutboundChoice.create(member_id=member.id, kind=class_sessions.CANCELLED_KIND)
    await classes.book(member_id=member.id, session_id=session.id)
    assert await class_sessions.cancel_session(
        actor_id=staff.id, session_id=session.id, reason="The hall floods"
    ) == 1  # fmt: skip
    told = await Notification.filter(member_id=member.id, kind=class_sessions.CANCELLED_KIND)
    assert await _queued() == [f"deliver:{n.id}" for n in told]


async def _full_court_with_a_line() -> tuple[Slot, Booking, int]:
    """A court's last place taken, and someone waiting for it: the id of who waits."""
    hall = await make_hall(courts=1)
    holder, waiting = await make_member(), await make_member()
    booking = await bookings.book(
        member_id=holder.id, resource_id=(await court(hall)).id, starts_at=slot_at(1)
    )
    await waitlists.join(member_id=waiting.id, slot_id=booking.slot_id, mode="auto")
    return await Slot.get(id=booking.slot_id), booking, waiting.id


async def test_a_disabled_account_queues_the_promotion_of_its_places_when_it_commits() -> None:
    slot, booking, _ = await _full_court_with_a_line()
    administrator = await make_member(role=Role.ADMIN)
    asked = admin.Asked(field="status", value="disabled", reason="Left the union")
    await admin.apply(actor_id=administrator.id, member_id=booking.member_id, asked=asked)
    assert (await Booking.get(id=booking.id)).status == BookingStatus.CANCELLED_BY_PALACE
    assert f"promote:{slot.id}:release:{booking.id}" in await _queued()


async def test_a_no_show_queues_its_message_when_it_commits(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hall = await make_hall()
    member = await make_member()
    await OutboundChoice.create(member_id=member.id, kind=noshows.NO_SHOW_KIND)
    start = slot_at(1)
    booking = await bookings.book(
        member_id=member.id, resource_id=(await court(hall)).id, starts_at=start
    )
    monkeypatch.setattr(clock, "now", lambda: start + timedelta(minutes=50))
    assert await noshows.mark_no_shows() == 1
    told = await Notification.get(member_id=member.id, kind=noshows.NO_SHOW_KIND)
    assert told.booking_id == booking.id
    assert await _queued() == [f"deliver:{told.id}"]
