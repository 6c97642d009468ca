import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from palace.models import Booking, Resource, RoomBlock, Slot, SlotKind
from palace.services.booking import bookings, releases, slots
from palace.services.booking.bookings import BookingError
from palace.services.booking.slots import SlotError
from tests.helpers import court, make_hall, make_member, make_session_slot, slot_at


async def test_the_database_keeps_taken_between_zero_and_capacity() -> None:
    gym = await make_hall(code="gym", courts=1, capacity=2)
    slot = await slots.grid_slot(resource_id=(await court(gym)).id, starts_at=slot_at())
    await Slot.filter(id=slot.id).update(taken=2)
    with pytest.raises(IntegrityError):
        await Slot.filter(id=slot.id).update(taken=F("taken") + 1)
    with pytest.raises(IntegrityError):
        await Slot.filter(id=slot.id).update(taken=-1)
    assert (await Slot.get(id=slot.id)).taken == 2


async def test_grid_slots_are_unique_per_court_and_start_but_sessions_may_repeat() -> None:
    hall = await make_hall(code="studio", courts=1)
    room = await court(hall)
    start = slot_at(hour=19)
    await slots.grid_slot(resource_id=room.id, starts_at=start)
    with pytest.raises(IntegrityError):
        await Slot.create(resource=room, starts_at=start, ends_at=start, capacity=1)
    # A cancelled session and the one planned again in its place both keep their rows.
    await make_session_slot(room, start)
    await make_session_slot(room, start)
    assert await Slot.filter(resource=room, starts_at=start).count() == 3


def test_a_period_holds_every_quarter_hour_it_touches() -> None:
    start = datetime(2026, 11, 24, 11, 30, tzinfo=UTC)
    assert len(slots.blocks(start, start + timedelta(hours=1))) == 4
    touched = slots.blocks(start + timedelta(minutes=10), start + timedelta(minutes=20))
    assert touched == [start, start + timedelta(minutes=15)]


async def _room() -> Resource:
    hall = await make_hall(code="studio", courts=1)
    room = await court(hall)
    room.hosts_classes = True
    await room.save()
    return room


async def _plan(room: Resource, starts_at: datetime, minutes: int = 60) -> str:
    """Plan a class session in the room the way class planning does: slot and hold at once."""
    try:
        async with in_transaction():
            slot = await make_session_slot(room, starts_at, minutes=minutes)
            await slots.block_room(
                resource_id=room.id,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(minutes=minutes),
                slot_id=slot.id,
            )
    except SlotError as error:
        return error.code
    return "planned"


async def _book(member_id: int, room: Resource, starts_at: datetime) -> str:
    try:
        await bookings.book(member_id=member_id, resource_id=room.id, starts_at=starts_at)
    except BookingError as error:
        return error.code
    return "booked"


async def test_a_room_booked_on_the_timetable_cannot_also_take_a_class() -> None:
    room = await _room()
    member = await make_member()
    booking = await bookings.book(
        member_id=member.id, resource_id=room.id, starts_at=slot_at(hour=19)
    )
    assert await RoomBlock.filter(booking_id=booking.id).count() == 4
    half_past = slot_at(hour=19) + timedelta(minutes=30)
    assert await _plan(room, half_past) == "room_in_use"
    assert await Slot.filter(kind=SlotKind.SESSION).count() == 0

    await releases.cancel(member_id=member.id, booking_id=booking.id)
    assert await RoomBlock.filter(booking_id=booking.id).count() == 0
    assert await _plan(room, half_past) == "planned"


async def test_a_room_holding_a_class_cannot_be_booked_on_the_timetable() -> None:
    room = await _room()
    member = await make_member()
    assert await _plan(room, slot_at(hour=19) + timedelta(minutes=30)) == "planned"
    assert await _book(member.id, room, slot_at(hour=19)) == "room_in_use"
    assert await _book(member.id, room, slot_at(hour=20)) == "room_in_use"
    assert await Booking.all().count() == 0
    assert await Slot.filter(kind=SlotKind.GRID, taken__gt=0).count() == 0
    assert await _book(member.id, room, slot_at(hour=21)) == "booked"


async def test_a_room_booking_and_a_class_racing_for_a_room_never_both_get_it() -> None:
    room = await _room()
    members = [await make_member() for _ in range(8)]
    for n, member in enumerate(members):
        start = slot_at(days=1 + n % 6, hour=8 + n)
        outcomes = await asyncio.gather(
            _book(member.id, room, start), _plan(room, start + timedelta(minutes=30))
        )
        assert sorted(outcomes) in (["booked", "room_in_use"], ["planned", "room_in_use"])
        booked = await Booking.filter(resource_id=room.id, starts_at=start).count()
        planned = await Slot.filter(
            kind=SlotKind.SESSION, resource_id=room.id, starts_at=start + timedelta(minutes=30)
        ).count()
        assert booked + planned == 1
        assert await RoomBlock.filter(resource_id=room.id).count() == 4 * (n + 1)


async def test_an_ordinary_court_takes_no_room_blocks() -> None:
    hall = await make_hall()
    member = await make_member()
    await bookings.book(
        member_id=member.id, resource_id=(await court(hall)).id, starts_at=slot_at()
    )
    assert await RoomBlock.all().count() == 0
