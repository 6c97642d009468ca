"""The quota's two forms (the ORM's ``used_quota``, the core's ``quota_sql``) agree."""

from datetime import datetime, timedelta

import pytest

from palace.models import (
    Booking,
    BookingStatus,
    Child,
    Facility,
    FacilityKind,
    Member,
    Resource,
    Slot,
    SlotKind,
)
from palace.services.booking import booking_sql
from palace.services.core import clock
from palace.services.facilities import rules
from tests.helpers import court, make_hall, make_member, slot_at

_COLUMNS = "SELECT {quota}"


async def _booking(
    member: Member,
    resource: Resource,
    start: datetime,
    *,
    minutes: int = 60,
    kind: SlotKind = SlotKind.GRID,
    status: BookingStatus = BookingStatus.CONFIRMED,
    child: Child | None = None,
    guest: str | None = None,
) -> None:
    end = start + timedelta(minutes=minutes)
    slot = await Slot.create(resource=resource, starts_at=start, ends_at=end, capacity=9, kind=kind)
    facility = await Facility.get(id=resource.facility_id)
    await Booking.create(
        slot=slot, member=member, child=child, facility=facility, resource=resource,
        starts_at=start, ends_at=end, status=status, guest_name=guest,
    )  # fmt: skip


async def _bookings(member: Member, child: Child, hall: Facility, other: Facility) -> None:
    first, second = await court(hall, 1), await court(hall, 2)
    await _booking(member, first, slot_at(days=1, hour=9))
    await _booking(member, second, slot_at(days=1, hour=11), minutes=90)
    await _booking(member, first, slot_at(days=1, hour=23), minutes=120)  # into the next day
    await _booking(member, first, slot_at(days=2, hour=9), minutes=30)
    await _booking(member, first, slot_at(days=1, hour=14), status=BookingStatus.CANCELLED)
    await _booking(member, first, slot_at(days=1, hour=15), status=BookingStatus.NO_SHOW)
    await _booking(member, first, slot_at(days=-1, hour=9))  # over: counts for its own day
    await _booking(member, first, slot_at(days=0, hour=11) + timedelta(minutes=30))  # on now
    await _booking(member, first, slot_at(days=1, hour=16), guest="王芳")  # a guest's
    await _booking(member, first, slot_at(days=1, hour=17), kind=SlotKind.SESSION)
    await _booking(member, first, slot_at(days=1, hour=18), child=child, kind=SlotKind.SESSION)
    await _booking(member, first, slot_at(days=1, hour=19), child=child)
    await _booking(member, await court(other), slot_at(days=1, hour=9))


async def _both(
    member: Member, child: Child | None, hall: Facility, kind: SlotKind, day: datetime
) -> tuple[rules.Quota, tuple[int, int]]:
    facility_rules = await rules.rules_for(hall)
    orm = await rules.used_quota(
        member_id=member.id, child_id=child.id if child else None,
        facility_rules=facility_rules, kind=kind, day_start=day,
    )  # fmt: skip
    day_from, day_to = clock.day_bounds(clock.local_day(day))
    found = await booking_sql.first(
        _COLUMNS.format(quota=rules.quota_sql(child=child is not None)),
        member=member.id, **({"child": child.id} if child else {}), facility=hall.id,
        kind=kind.value, now=clock.now(), day_from=day_from, day_to=day_to,
    )  # fmt: skip
    assert found is not None
    return orm, (int(found["active"]), int(found["minutes"]))


async def test_the_orm_and_the_sql_count_the_same_bookings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    noon = slot_at(days=0, hour=12)
    monkeypatch.setattr(clock, "now", lambda: noon)
    hall = await make_hall(courts=2)
    other = await make_hall(code="gym", kind=FacilityKind.CAPACITY, courts=1)
    member = await make_member()
    child = await Child.create(parent=member, name="小明", birth_year=2016)
    await _bookings(member, child, hall, other)
    expected = {
        # (child?, kind, day): (active, minutes that day)
        (False, SlotKind.GRID, 1): (5, 60 + 90 + 120),
        (False, SlotKind.GRID, 2): (5, 30),
        (False, SlotKind.GRID, -1): (5, 60),
        (False, SlotKind.GRID, 0): (5, 60),
        (False, SlotKind.SESSION, 1): (1, 60),
        (True, SlotKind.SESSION, 1): (1, 60),
        (True, SlotKind.GRID, 1): (1, 60),
        (True, SlotKind.GRID, 2): (1, 0),
    }
    for (for_child, kind, days), (active, minutes) in expected.items():
        day = slot_at(days=days, hour=12)
        orm, sql = await _both(member, child if for_child else None, hall, kind, day)
        assert (orm.active, orm.minutes_today) == sql == (active, minutes), (for_child, kind, days)


def test_the_quota_refuses_what_would_break_it() -> None:
    quota = rules.Quota(active=1, max_active=2, minutes_today=60, max_minutes=120)
    assert quota.refusal(60) is None
    too_long = quota.refusal(90)
    assert too_long is not None and too_long.code == "over_quota_hours"
    assert too_long.params == {"hours": "2"}
    full = quota.plus(60)
    assert (full.active, full.minutes_today) == (2, 120)
    refused = full.refusal(30)
    assert refused is not None and refused.code == "over_quota_active"
