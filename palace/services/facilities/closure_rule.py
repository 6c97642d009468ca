"""The closure rule, stated once: what a closure covers.

A closure of a whole hall (no court named) or of one court covers every period of
that hall, or of that court, that it overlaps: it starts before the period ends and
ends after the period starts (touching ends do not overlap). The rule is written
below as one table of clauses; the Python predicate for rows already loaded, the
Tortoise filter for ORM queries, the SQL fragment for the hand-written statements
(services/booking/booking_sql) and the filter the other way round (what one closure
covers) are all read off that table, so they cannot disagree.

Kept apart from ``closures`` (closing and reopening), which needs the booking core,
the timetable and the waitlist: every one of those asks this rule.
"""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from tortoise.expressions import Q

from palace.models import Closure
from palace.services.core import clock

# (closure column, comparison, what of the period it is compared with). "hall_or_eq":
# the column is empty (the whole hall) or equal.
_RULE: tuple[tuple[str, str, str], ...] = (
    ("facility_id", "eq", "facility"),
    ("resource_id", "hall_or_eq", "resource"),
    ("starts_at", "lt", "ends_at"),
    ("ends_at", "gt", "starts_at"),
)
_SQL_OPERATOR = {"eq": "=", "lt": "<", "gt": ">"}


def _period(
    facility_id: int, resource_id: int, starts_at: datetime, ends_at: datetime
) -> dict[str, object]:
    return {
        "facility": facility_id,
        "resource": resource_id,
        "starts_at": starts_at,
        "ends_at": ends_at,
    }


def _holds(comparison: str, column: object, value: object) -> bool:
    if comparison == "hall_or_eq":
        return column is None or column == value
    if isinstance(column, datetime) and isinstance(value, datetime):
        column, value = clock.utc(column), clock.utc(value)
    if comparison == "eq":
        return column == value
    # Only times are ordered here.
    assert isinstance(column, datetime) and isinstance(value, datetime)
    return column < value if comparison == "lt" else column > value


def covers(
    closure: Closure, *, facility_id: int, resource_id: int, starts_at: datetime, ends_at: datetime
) -> bool:
    """Whether a loaded ``closure`` covers the court's period."""
    period = _period(facility_id, resource_id, starts_at, ends_at)
    return all(
        _holds(comparison, getattr(closure, column), period[side])
        for column, comparison, side in _RULE
    )


def covering(*, facility_id: int, resource_id: int, starts_at: datetime, ends_at: datetime) -> Q:
    """The closures covering the court's period, as a filter: ``Closure.filter(covering(…))``."""
    period = _period(facility_id, resource_id, starts_at, ends_at)
    clauses = []
    for column, comparison, side in _RULE:
        value: Any = period[side]
        if comparison == "hall_or_eq":
            empty: dict[str, Any] = {f"{column}__isnull": True}
            clauses.append(Q(**empty) | Q(**{column: value}))
        else:
            lookup = column if comparison == "eq" else f"{column}__{comparison}"
            clauses.append(Q(**{lookup: value}))
    return Q(*clauses)


_FLIPPED = {"eq": "", "lt": "__gt", "gt": "__lt"}
# Where a booking's, a slot's or a line's period is, for ``covered``.
BOOKING_PERIOD = {"facility": "facility_id", "resource": "resource_id",
                  "starts_at": "starts_at", "ends_at": "ends_at"}  # fmt: skip
SLOT_PERIOD = {"facility": "resource__facility_id", "resource": "resource_id",
               "starts_at": "starts_at", "ends_at": "ends_at"}  # fmt: skip


def covered(
    *,
    facility_id: int,
    resource_id: int | None,
    starts_at: datetime,
    ends_at: datetime,
    period: Mapping[str, str],
) -> Q:
    """What a closure (of the hall: ``resource_id`` None) covers, as a filter on a model
    whose period ``period`` names (``BOOKING_PERIOD``, ``SLOT_PERIOD`` or prefixed)."""
    closure: dict[str, Any] = {"facility_id": facility_id, "resource_id": resource_id,
                               "starts_at": starts_at, "ends_at": ends_at}  # fmt: skip
    clauses = []
    for column, comparison, side in _RULE:
        value = closure[column]
        if comparison == "hall_or_eq":
            if value is not None:  # a closure of the whole hall covers every court
                clauses.append(Q(**{period[side]: value}))
        else:
            clauses.append(Q(**{period[side] + _FLIPPED[comparison]: value}))
    return Q(*clauses)


def covering_sql(
    alias: str = "c",
    *,
    facility: str = ":facility",
    resource: str = ":resource",
    starts_at: str = ":starts_at",
    ends_at: str = ":ends_at",
) -> str:
    """The rule as an SQL condition on ``closures <alias>``, the period given as SQL
    expressions (parameters by default; a column such as ``s.resource_id`` will do)."""
    period = {"facility": facility, "resource": resource, "starts_at": starts_at,
              "ends_at": ends_at}  # fmt: skip
    clauses = []
    for column, comparison, side in _RULE:
        named, value = f"{alias}.{column}", period[side]
        if comparison == "hall_or_eq":
            clauses.append(f"({named} IS NULL OR {named} = {value})")
        else:
            clauses.append(f"{named} {_SQL_OPERATOR[comparison]} {value}")
    return " AND ".join(clauses)
