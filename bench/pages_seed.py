# SQL here is composed from integers and constants of the bench, never from input.
# ruff: noqa: S608
"""The pages bench's palace: the demo palace plus members with months of bookings, in SQL.

Members, slots and bookings are written with INSERT … SELECT over a series
(``generate_series`` on PostgreSQL, a recursive CTE on SQLite), with explicit ids so
a booking names its slot without a join. Every member gets ``BOOKINGS_PER_MEMBER``
bookings spread over ``HISTORY_DAYS`` of a large capacity hall ("pool"), a few of them
still to come, one in nine cancelled. The badminton hall's shown day is two thirds
booked. Runs in the bench's own process after Tortoise is opened on the scratch database.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient

from palace.models import Facility, FacilityKind, OpeningHours, Resource
from palace.services.core import clock
from palace.services.facilities import rules

BOOKINGS_PER_MEMBER = 27
HISTORY_DAYS = 180
AHEAD_DAYS = 7  # the pool's slots after today (inside its booking window)
FIRST_HOUR, HOURS = 8, 14  # 08:00-22:00, hourly, as the demo halls
POOL_CAPACITY = 400  # more than the busiest pool slot gets with 20k members
COURT_HALL = "badminton"
NO_LOGIN_HASH = "not-a-hash: bench members log in by crafted session cookies"


@dataclass(frozen=True)
class Pool:
    facility_id: int
    resource_id: int
    first_slot_id: int
    slots: int
    base_epoch: int  # local midnight of the first day, UTC epoch seconds


def _db() -> BaseDBAsyncClient:
    return connections.get("default")


def _sqlite() -> bool:
    return str(_db().capabilities.dialect) == "sqlite"


def _series(count: int) -> str:
    """A CTE ``g(i)`` of 0 … count-1."""
    if _sqlite():
        return (
            "WITH RECURSIVE g(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM g"
            f" WHERE i < {count - 1}) "
        )
    return f"WITH g(i) AS (SELECT generate_series(0, {count - 1})) "


def _ts(seconds: str) -> str:
    """An instant from an epoch-seconds expression, as Tortoise stores it."""
    if _sqlite():
        return f"strftime('%Y-%m-%d %H:%M:%S+00:00', {seconds}, 'unixepoch')"
    return f"to_timestamp({seconds})"


async def _next_id(table: str) -> int:
    rows = await _db().execute_query_dict(f"SELECT COALESCE(MAX(id), 0) + 1 AS n FROM {table}")
    return int(rows[0]["n"])


async def _fix_sequences() -> None:
    """Explicit ids leave PostgreSQL's serial sequences behind: move them on."""
    if _sqlite():
        return
    for table in ("members", "slots", "bookings"):
        await _db().execute_script(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
        )


def _day_epoch(day: date) -> int:
    return int(clock.day_bounds(day)[0].timestamp())


async def make_pool() -> Pool:
    """A capacity hall with one big room and its hourly slots over months (no bookings)."""
    facility = await Facility.create(
        code="pool", name_zh="游泳馆", name_en="Swimming pool", kind=FacilityKind.CAPACITY
    )
    room = await Resource.create(
        facility=facility, code="lanes", name_zh="泳道", name_en="Lanes",
        capacity=POOL_CAPACITY, sort_order=1,
    )  # fmt: skip
    await OpeningHours.bulk_create(
        OpeningHours(
            facility=facility,
            weekday=d,
            opens_minute=FIRST_HOUR * 60,
            closes_minute=(FIRST_HOUR + HOURS) * 60,
        )
        for d in range(7)
    )
    await rules.default_rules(facility).save()
    count = (HISTORY_DAYS + AHEAD_DAYS) * HOURS
    base = _day_epoch(clock.today() - timedelta(days=HISTORY_DAYS))
    first = await _next_id("slots")
    start = f"{base} + (i / {HOURS}) * 86400 + ({FIRST_HOUR} + i % {HOURS}) * 3600"
    await _db().execute_script(
        _series(count) + "INSERT INTO slots (id, resource_id, starts_at, ends_at, capacity,"
        " taken, held, kind) SELECT "
        f"{first} + i, {room.id}, {_ts(start)}, {_ts(start + ' + 3600')}, {POOL_CAPACITY},"
        " 0, 0, 'grid' FROM g"
    )
    await _fix_sequences()
    return Pool(facility.id, room.id, first, count, base)


async def add_members(count: int, pool: Pool) -> list[int]:
    """``count`` members with ``BOOKINGS_PER_MEMBER`` bookings each; returns their ids."""
    first = await _next_id("members")
    now = _ts(str(int(clock.now().timestamp())))
    false = "0" if _sqlite() else "FALSE"
    await _db().execute_script(
        _series(count) + "INSERT INTO members (id, card_no, name, phone, password_hash, role,"
        " status, language, created_at, must_change_password) SELECT "
        f"{first} + i, 'S' || ({first} + i), '会员' || ({first} + i),"
        f" '139' || (10000000 + {first} + i), '{NO_LOGIN_HASH}', 'member', 'active', 'zh-CN',"
        f" {now}, {false} FROM g"
    )
    await _add_bookings(first, count, pool)
    await _fix_sequences()
    return list(range(first, first + count))


async def _add_bookings(first_member: int, count: int, pool: Pool) -> None:
    """Member n's k-th booking is in pool slot (n + k·stride) mod slots: spread over the
    months, never twice in one slot, at most ceil(count/slots) members per slot per k."""
    per = BOOKINGS_PER_MEMBER
    stride = pool.slots // per
    slot = f"(({first_member} + i / {per}) + (i % {per}) * {stride}) % {pool.slots}"
    start = (
        f"{pool.base_epoch} + ({slot} / {HOURS}) * 86400 + ({FIRST_HOUR} + {slot} % {HOURS}) * 3600"
    )
    now = int(clock.now().timestamp())
    cancelled = f"i % {per} % 9 = 4"
    true, false = ("1", "0") if _sqlite() else ("TRUE", "FALSE")
    await _db().execute_script(
        _series(count * per) + "INSERT INTO bookings (slot_id, member_id, facility_id,"
        " resource_id, starts_at, ends_at, status, live_slot, created_at, cancelled_at,"
        " source, checked_in_at, checkin_expected) SELECT "
        f"{pool.first_slot_id} + {slot}, {first_member} + i / {per}, {pool.facility_id},"
        f" {pool.resource_id}, {_ts(start)}, {_ts(f'{start} + 3600')},"
        f" CASE WHEN {cancelled} THEN 'cancelled' ELSE 'confirmed' END,"
        f" CASE WHEN {cancelled} THEN NULL ELSE {pool.first_slot_id} + {slot} END,"
        f" {_ts(f'{start} - 86400')},"
        f" CASE WHEN {cancelled} THEN {_ts(f'{start} - 7200')} ELSE NULL END, 'member',"
        f" CASE WHEN {cancelled} OR {start} > {now} THEN NULL ELSE {_ts(start)} END,"
        f" CASE WHEN {cancelled} THEN {false} ELSE {true} END FROM g"
    )
    await _db().execute_script(
        "UPDATE slots SET taken = (SELECT COUNT(*) FROM bookings b WHERE b.slot_id = slots.id"
        f" AND b.status = 'confirmed') WHERE resource_id = {pool.resource_id}"
    )


async def fill_court_day(day: date, member_ids: list[int]) -> None:
    """Two cells in three of the badminton hall's day booked, by members in turn."""
    facility = await Facility.get(code=COURT_HALL)
    courts = await Resource.filter(facility=facility, active=True).order_by("sort_order")
    base = _day_epoch(day)
    first = await _next_id("slots")
    cells = [(c, h) for c in range(len(courts)) for h in range(HOURS) if (c + h) % 3]
    slot_rows, booking_rows = [], []
    for n, (c, h) in enumerate(cells):
        start = base + (FIRST_HOUR + h) * 3600
        slot_rows.append(
            f"({first + n}, {courts[c].id}, {_ts(str(start))}, {_ts(str(start + 3600))},"
            " 1, 1, 0, 'grid')"
        )
        member = member_ids[(n * 7) % len(member_ids)]
        true = "1" if _sqlite() else "TRUE"
        booking_rows.append(
            f"({first + n}, {member}, {facility.id}, {courts[c].id}, {_ts(str(start))},"
            f" {_ts(str(start + 3600))}, 'confirmed', {first + n}, {_ts(str(start - 86400))},"
            f" 'member', {true})"
        )
    await _db().execute_script(
        "INSERT INTO slots (id, resource_id, starts_at, ends_at, capacity, taken, held, kind)"
        " VALUES " + ", ".join(slot_rows)
    )
    await _db().execute_script(
        "INSERT INTO bookings (slot_id, member_id, facility_id, resource_id, starts_at, ends_at,"
        " status, live_slot, created_at, source, checkin_expected) VALUES "
        + ", ".join(booking_rows)
    )
    await _fix_sequences()


async def analyze() -> None:
    """Fresh planner statistics, as autovacuum would have after a bulk load (PostgreSQL;
    a SQLite palace runs without ANALYZE, and so does the bench)."""
    if not _sqlite():
        await _db().execute_script("ANALYZE")


async def counts() -> tuple[int, int]:
    rows = await _db().execute_query_dict(
        "SELECT (SELECT COUNT(*) FROM members) AS m, (SELECT COUNT(*) FROM bookings) AS b"
    )
    return int(rows[0]["m"]), int(rows[0]["b"])
