"""A room that hosts classes and is also booked on a hall's timetable: never both at once."""

import asyncio
from datetime import date, datetime

import pytest

from palace.models import Booking, ClassSession, Role, RoomBlock, Schedule
from palace.services.booking import bookings, timetable
from palace.services.booking.bookings import BookingError
from palace.services.classes import schedules
from palace.services.classes.schedules import ScheduleConflict
from palace.services.core import clock
from tests.class_helpers import (
    form,
    freeze,
    make_class_type,
    make_instructor,
    make_room,
    make_schedule,
)
from tests.helpers import make_member


@pytest.fixture(autouse=True)
def monday_morning(monkeypatch: pytest.MonkeyPatch) -> None:
    freeze(monkeypatch, datetime(2026, 11, 23, 10, 0))


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return clock.at(date(2026, 11, day), hour * 60 + minute)


async def test_the_timetable_shows_a_room_held_by_a_class_as_a_class() -> None:
    room = await make_room(bookable=True)
    await make_schedule(room)  # Tue/Thu 19:30-20:30
    member = await make_member()
    day = await timetable.day(member_id=member.id, code="studio", day=date(2026, 11, 24))
    states = {row.starts_at: row.cells[0].state for row in day.rows}
    assert states[_at(24, 19)] == timetable.CellState.CLASS  # 19:00-20:00 overlaps 19:30
    assert states[_at(24, 20)] == timetable.CellState.CLASS
    assert states[_at(24, 18)] == timetable.CellState.FREE
    assert states[_at(24, 21)] == timetable.CellState.FREE
    with pytest.raises(BookingError) as refused:
        await bookings.book(member_id=member.id, resource_id=room.id, starts_at=_at(24, 19))
    assert refused.value.code == "room_in_use"


async def _plan(values: dict[str, object], staff_id: int) -> str:
    try:
        await schedules.create(actor_id=staff_id, values=values, skip_days=True)
    except ScheduleConflict as error:
        return ",".join(c.code for c in error.findings.conflicts)
    return "planned"


async def _court(member_id: int, room_id: int, starts_at: datetime) -> str:
    try:
        await bookings.book(member_id=member_id, resource_id=room_id, starts_at=starts_at)
    except BookingError as error:
        return error.code
    return "booked"


async def test_a_court_booking_and_a_new_schedule_racing_never_share_the_room() -> None:
    room = await make_room(bookable=True)
    yoga, teacher = await make_class_type(), await make_instructor()
    staff = await make_member(role=Role.STAFF)
    members = [await make_member() for _ in range(5)]
    for n, member in enumerate(members):
        values = form(yoga, room, teacher, days=(n,), start="19:30",
                      term_start=date(2026, 11, 23), term_end=date(2026, 11, 29))  # fmt: skip
        court_at = _at(23 + n, 19)
        outcomes = await asyncio.gather(
            _court(member.id, room.id, court_at), _plan(values, staff.id)
        )
        assert outcomes.count("booked") + outcomes.count("planned") == 1, outcomes
        booked = await Booking.filter(resource_id=room.id, starts_at=court_at).count()
        sessions = await ClassSession.filter(room_id=room.id, starts_at=_at(23 + n, 19, 30))
        assert booked + len(sessions) == 1
    # Whatever won, each quarter hour of the room is held once.
    blocks = await RoomBlock.filter(resource_id=room.id).values_list("block_at", flat=True)
    assert len(blocks) == len(set(blocks))
    assert await Schedule.all().count() == await ClassSession.all().count()
