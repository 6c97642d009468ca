"""The statements every booking runs, written by hand.

Building them through the ORM cost more CPU than the database spent running them,
and several small reads become one round trip each. Statements are written with
``:name`` parameters and compiled once per dialect (``$1`` for asyncpg, ``?1`` for
SQLite). Times are bound as UTC datetimes, as the ORM stores them.
"""

import functools
import re
from datetime import datetime
from typing import Any

from tortoise import connections

from palace import db
from palace.services.core import clock
from palace.services.facilities import closure_rule, rules

_PARAM = re.compile(r":([a-z_]+)")


@functools.cache
def _compiled(text: str, dialect: str) -> tuple[str, tuple[str, ...]]:
    names: list[str] = []

    def number(match: re.Match[str]) -> str:
        if match.group(1) not in names:
            names.append(match.group(1))
        return ("?" if dialect == "sqlite" else "$") + str(names.index(match.group(1)) + 1)

    return _PARAM.sub(number, text), tuple(names)


def _value(value: object) -> object:
    return clock.utc(value) if isinstance(value, datetime) else value


async def rows(text: str, **params: object) -> list[dict[str, Any]]:
    """Run a statement (RETURNING included) and return its rows as dicts."""
    connection = connections.get("default")
    sql, names = _compiled(text, connection.capabilities.dialect)
    values = [_value(params[name]) for name in names]
    found: list[dict[str, Any]] = await connection.execute_query_dict(sql, values)
    return found


async def first(text: str, **params: object) -> dict[str, Any] | None:
    found = await rows(text, **params)
    return found[0] if found else None


# A grid slot as the member about to tap it sees it: the row, and whatever decides its
# cell (their own or a partner's booking, a closure, a class holding the room, their
# place in its line). No row: nobody has booked that time yet.
_GRID_FACTS = """
SELECT s.id, s.capacity, s.taken, s.held,
  (s.ends_at = :ends_at AND s.opens_at IS NULL AND s.cancel_cutoff_minutes IS NULL) AS plain,
  (SELECT b.id FROM bookings b WHERE b.member_id = :member AND b.live_slot = s.id) AS own,
  (SELECT b.id FROM bookings b JOIN booking_partners p ON p.booking_id = b.id
   WHERE p.member_id = :member AND b.slot_id = s.id AND b.status = 'confirmed'
   LIMIT 1) AS partner,
  EXISTS (SELECT 1 FROM closures c WHERE {closed}) AS closed,
  EXISTS (SELECT 1 FROM room_holds h WHERE h.resource_id = s.resource_id
    AND h.slot_id IS NOT NULL AND h.block_at >= :first_block
    AND h.block_at < :ends_at) AS class_held,
  EXISTS (SELECT 1 FROM waitlist_entries w
    WHERE w.member_id = :member AND w.live_slot = s.id) AS waiting
FROM slots s
WHERE s.resource_id = :resource AND s.starts_at = :starts_at AND s.kind = 'grid'
"""
GRID_FACTS = _GRID_FACTS.format(closed=closure_rule.covering_sql(resource="s.resource_id"))

# The member's row, locked until the transaction ends: their own requests queue here
# one after another (SQLite has no row locks; BEGIN IMMEDIATE holds its only write lock).
_LOCK_MEMBER = {
    "postgres": "SELECT * FROM members WHERE id = :member FOR UPDATE",
    "sqlite": "SELECT * FROM members WHERE id = :member",
}


def lock_member() -> str:
    return _LOCK_MEMBER[db.dialect()]


# The grid slot's row, made on first use; nothing comes back when another request
# made it first.
MAKE_GRID_ROW = """
INSERT INTO slots (resource_id, starts_at, ends_at, capacity, taken, held, kind)
VALUES (:resource, :starts_at, :ends_at, :capacity, 0, 0, 'grid')
ON CONFLICT DO NOTHING RETURNING id
"""

# The conditional UPDATE that enforces capacity, with what is left after it.
TAKE_PLACE = """
UPDATE slots SET taken = taken + 1 WHERE id = :slot AND taken + held < capacity
RETURNING capacity - taken - held AS places_left
"""

# A waitlist promotion takes one of the places held for the line.
TAKE_HELD_PLACE = """
UPDATE slots SET taken = taken + 1, held = held - 1 WHERE id = :slot AND held > 0
RETURNING capacity - taken - held AS places_left
"""

# The clash rule: one person (the member, or one child) is never in two places at once.
# The first of their confirmed bookings elsewhere that overlaps the period, if any.
_CLASH = """SELECT b.id FROM bookings b
  WHERE b.member_id = :member AND {child} AND b.guest_name IS NULL
  AND b.status = 'confirmed' AND b.slot_id <> :slot
  AND b.starts_at < :ends_at AND b.ends_at > :starts_at
  ORDER BY b.starts_at, b.id LIMIT 1"""


def _person(child: bool) -> str:
    return "b.child_id = :child" if child else "b.child_id IS NULL"


def clash(*, child: bool) -> str:
    """The clash rule on its own (joining a line), with :member, :child when ``child``,
    :slot, :starts_at and :ends_at."""
    return _CLASH.format(child=_person(child))


# Everything the core checks about the place and the person once the member's row is
# locked, in one statement (read after the lock, so it sees their other requests).
_PERSON_FACTS = """
SELECT
  EXISTS (SELECT 1 FROM closures c WHERE {closed}) AS closed,
  EXISTS (SELECT 1 FROM bookings b WHERE {live}) AS live,
  ({clash}) AS clash,
  {quota},
  EXISTS (SELECT 1 FROM outbound_choices o
    WHERE o.member_id = :member AND o.kind = 'booked') AS wanted
"""


def person_facts(*, child: bool) -> str:
    live = (
        "b.child_id = :child AND b.live_child_slot = :slot"
        if child
        else "b.member_id = :member AND b.live_slot = :slot"
    )
    return _PERSON_FACTS.format(
        closed=closure_rule.covering_sql(),
        live=live,
        clash=clash(child=child),
        quota=rules.quota_sql(child=child),
    )
