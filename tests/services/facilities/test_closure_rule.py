"""The closure rule's three forms (Python, ORM, SQL) agree with each other and with it."""

from datetime import datetime, timedelta

from palace.models import Closure, Facility, Member, Resource, Slot, SlotKind
from palace.services.booking import booking_sql
from palace.services.core import clock
from palace.services.facilities import closure_rule
from tests.helpers import court, make_hall, make_member, slot_at

_EXISTS = "SELECT EXISTS (SELECT 1 FROM closures c WHERE {rule}) AS closed"


def _at(hour: int, minute: int = 0, second: int = 0) -> datetime:
    return slot_at(hour=hour) + timedelta(minutes=minute, seconds=second)


# (start, end) of a period on court 1 or 2 and whether a closure covers it there: the
# hall is closed 10:00-12:00, court 1 14:00-15:00, court 2 16:00-17:00; another hall
# all day and this hall the next day do not count. Touching ends do not overlap.
_PERIODS: list[tuple[datetime, datetime, bool, bool]] = [
    (_at(9), _at(10), False, False),
    (_at(9), _at(10, second=1), True, True),
    (_at(11), _at(11, 30), True, True),
    (_at(8), _at(13), True, True),
    (_at(12), _at(13), False, False),
    (_at(11, 59, 59), _at(12, 30), True, True),
    (_at(13, 59), _at(14), False, False),
    (_at(14, 59), _at(15, 30), True, False),
    (_at(15), _at(16), False, False),
    (_at(16, 30), _at(17, 30), False, True),
    (_at(17), _at(18), False, False),
]


async def _closures(hall: Facility, first: Resource, second: Resource, staff: Member) -> None:
    other = await make_hall(code="table-tennis", courts=1)
    for facility, resource, start, end in [
        (hall, None, _at(10), _at(12)),
        (hall, first, _at(14), _at(15)),
        (hall, second, _at(16), _at(17)),
        (other, None, _at(0), _at(23)),
        (hall, None, _at(10) + timedelta(days=1), _at(12) + timedelta(days=1)),
    ]:
        await Closure.create(
            facility=facility, resource=resource, starts_at=start, ends_at=end,
            reason="赛事", created_by=staff,
        )  # fmt: skip


async def _forms(resource: Resource, start: datetime, end: datetime) -> tuple[bool, ...]:
    facility_id, resource_id = resource.facility_id, resource.id
    python = any(
        closure_rule.covers(c, facility_id=facility_id, resource_id=resource_id,
                            starts_at=start, ends_at=end)
        for c in await Closure.all()
    )  # fmt: skip
    orm = await Closure.filter(
        closure_rule.covering(facility_id=facility_id, resource_id=resource_id,
                              starts_at=start, ends_at=end)
    ).exists()  # fmt: skip
    sql = await booking_sql.first(
        _EXISTS.format(rule=closure_rule.covering_sql()),
        facility=resource.facility_id,
        resource=resource.id,
        starts_at=start,
        ends_at=end,
    )
    assert sql is not None
    return python, orm, bool(sql["closed"])


async def _core_says(member: Member, resource: Resource, start: datetime, end: datetime) -> bool:
    """What the booking core's own hand-written statement finds."""
    day_from, day_to = clock.day_bounds(clock.local_day(start))
    found = await booking_sql.first(
        booking_sql.person_facts(child=False),
        member=member.id, slot=0, facility=resource.facility_id, resource=resource.id,
        kind=SlotKind.GRID.value, starts_at=start, ends_at=end, now=clock.now(),
        day_from=day_from, day_to=day_to,
    )  # fmt: skip
    assert found is not None
    return bool(found["closed"])


async def test_python_orm_and_sql_forms_agree_on_every_edge() -> None:
    hall = await make_hall(courts=2)
    first, second = await court(hall, 1), await court(hall, 2)
    member = await make_member()
    await _closures(hall, first, second, member)
    for start, end, on_first, on_second in _PERIODS:
        for resource, expected in [(first, on_first), (second, on_second)]:
            seen = await _forms(resource, start, end)
            assert seen == (expected, expected, expected), (resource.id, start, end)
            assert await _core_says(member, resource, start, end) == expected


async def test_what_one_closure_covers_is_what_the_rule_says_of_each_slot() -> None:
    hall = await make_hall(courts=2)
    first, second = await court(hall, 1), await court(hall, 2)
    await _closures(hall, first, second, await make_member())
    made = []  # a slot per period and court (class sessions: several may start alike)
    for start, end, _on_first, _on_second in _PERIODS:
        for resource in (first, second):
            made.append(await Slot.create(resource=resource, starts_at=start, ends_at=end,
                                          capacity=1, kind=SlotKind.SESSION))  # fmt: skip
    by_id = {s.id: s for s in made}
    for closure in await Closure.all():
        found = await Slot.filter(
            closure_rule.covered(
                facility_id=closure.facility_id, resource_id=closure.resource_id,
                starts_at=closure.starts_at, ends_at=closure.ends_at,
                period=closure_rule.SLOT_PERIOD,
            )
        )  # fmt: skip
        expected = {
            s.id for s in made
            if closure_rule.covers(closure, facility_id=hall.id, resource_id=s.resource_id,
                                   starts_at=s.starts_at, ends_at=s.ends_at)
        }  # fmt: skip
        assert {s.id for s in found} == expected, closure.id
        assert all(by_id[i].resource_id in (first.id, second.id) for i in expected)
    # The hall's closure covers both courts' slots that overlap 10:00-12:00.
    hall_wide = await Closure.get(facility_id=hall.id, resource_id=None, starts_at=_at(10))
    wide = await Slot.filter(
        closure_rule.covered(facility_id=hall.id, resource_id=None, starts_at=hall_wide.starts_at,
                             ends_at=hall_wide.ends_at, period=closure_rule.SLOT_PERIOD)
    )  # fmt: skip
    assert len(wide) == 2 * sum(1 for p in _PERIODS if p[2] and p[3])
