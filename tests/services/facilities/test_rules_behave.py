"""Rules behave as members expect when staff change them."""

from datetime import timedelta

import pytest

from palace.models import Booking, BookingStatus
from palace.services.booking import bookings, timetable
from palace.services.core import clock
from palace.web import rules_form
from tests.helpers import court, make_hall, make_member
from tests.web.test_rules import valid_form


def _at(days: int, minute: int) -> object:
    instant = clock.at(clock.today() + timedelta(days=days), minute)
    return lambda: instant


async def test_a_day_that_has_opened_stays_open_when_staff_move_the_opening(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    today = clock.today()
    monkeypatch.setattr(clock, "now", _at(0, 9 * 60))  # 09:00: the day a week ahead opened at 08:00
    hall = await make_hall(days_ahead=7, opens_minute=8 * 60)
    member, staff = await make_member(), await make_member()
    opened = today + timedelta(days=7)
    assert (await timetable.day(member_id=member.id, code=hall.code, day=opened)).is_open

    await rules_form.save(
        actor_id=staff.id, facility_id=hall.id, values=valid_form(opens_at="10:00", days_ahead="5")
    )
    shown = await timetable.day(member_id=member.id, code=hall.code, day=opened)
    assert shown.is_open and shown.last_day == opened
    starts_at = clock.at(opened, 18 * 60)
    booking = await bookings.book(
        member_id=member.id, resource_id=(await court(hall)).id, starts_at=starts_at
    )
    assert booking.status == BookingStatus.CONFIRMED

    monkeypatch.setattr(clock, "now", _at(1, 9 * 60 + 30))  # next morning, before 10:00
    assert (await timetable.day(member_id=member.id, code=hall.code, day=opened)).is_open
    later = today + timedelta(days=8)
    with pytest.raises(bookings.BookingError) as caught:
        await bookings.book(
            member_id=member.id,
            resource_id=(await court(hall)).id,
            starts_at=clock.at(later, 18 * 60),
        )
    assert caught.value.code == "not_yet_open"  # new rules: opens 5 days ahead at 10:00
    assert await Booking.all().count() == 1


async def test_a_day_not_yet_open_stays_closed_when_the_opening_moves_later(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(clock, "now", _at(0, 7 * 60))  # 07:00: a week ahead opens at 08:00
    hall = await make_hall(days_ahead=7, opens_minute=8 * 60)
    member, staff = await make_member(), await make_member()
    await rules_form.save(
        actor_id=staff.id, facility_id=hall.id, values=valid_form(opens_at="09:00")
    )
    week = clock.today() + timedelta(days=7)
    shown = await timetable.day(member_id=member.id, code=hall.code, day=week)
    assert not shown.is_open and shown.opens_at == clock.at(clock.today(), 9 * 60)
