"""Walk-ins through the core: on now, checked in at once, by card or as a named guest."""

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from palace.models import AuditEvent, Booking, BookingSource, FacilityKind, Role, Slot
from palace.services.booking import booking_views, bookings
from palace.services.booking.bookings import BookingError
from palace.services.core import clock
from palace.services.desk import noshows, now_board, walkins
from tests.helpers import court, make_hall, make_member, make_session_slot, slot_at

Move = Callable[[datetime], None]


@pytest.fixture
def move_to(monkeypatch: pytest.MonkeyPatch) -> Move:
    def move(instant: datetime) -> None:
        monkeypatch.setattr(clock, "now", lambda: instant)

    return move


async def test_the_desk_books_a_free_court_that_has_started_for_a_member(move_to: Move) -> None:
    hall = await make_hall()
    desk, member = await make_member(role=Role.DESK), await make_member()
    resource, start = await court(hall), slot_at(1)
    move_to(start + timedelta(minutes=20))
    result = await walkins.walk_in(
        actor_id=desk.id, resource_id=resource.id, starts_at=start, card=member.card_no
    )
    booking = result.booking
    assert booking is not None and result.code == "walked_in"
    assert [p.state for p in result.people] == ["checked_in"]
    assert (booking.member_id, booking.source) == (member.id, BookingSource.DESK)
    assert booking.checked_in_at is not None
    event = await AuditEvent.get(entity_id=booking.id, action="book")
    assert event.actor_id == desk.id
    move_to(start + timedelta(hours=2))
    assert await noshows.mark_no_shows() == 0  # a walk-in is never a no-show


async def test_a_walk_in_keeps_the_cores_rules(move_to: Move) -> None:
    hall = await make_hall(courts=1)
    desk, member, other = await make_member(), await make_member(), await make_member()
    resource, start = await court(hall), slot_at(1)
    await bookings.book(member_id=other.id, resource_id=resource.id, starts_at=start)
    move_to(start + timedelta(minutes=5))
    with pytest.raises(BookingError) as taken:
        await walkins.walk_in(
            actor_id=desk.id, resource_id=resource.id, starts_at=start, card=member.card_no
        )
    assert taken.value.code == "slot_taken"
    with pytest.raises(BookingError) as later:
        await walkins.walk_in(
            actor_id=desk.id,
            resource_id=resource.id,
            starts_at=start + timedelta(hours=3),
            card=member.card_no,
        )
    assert later.value.code == "walk_in_not_now"
    with pytest.raises(BookingError) as unknown:
        await walkins.walk_in(
            actor_id=desk.id, resource_id=resource.id, starts_at=start, card="ZZZZ9999"
        )
    assert unknown.value.code == "unknown_card"


async def test_a_named_guest_only_where_the_hall_allows_guests(move_to: Move) -> None:
    gym = await make_hall(code="gym", kind=FacilityKind.CAPACITY, courts=1, capacity=5)
    desk = await make_member(role=Role.DESK)
    resource, start = await court(gym), slot_at(1)
    move_to(start - timedelta(minutes=10))
    with pytest.raises(BookingError) as refused:
        await walkins.walk_in(
            actor_id=desk.id, resource_id=resource.id, starts_at=start, guest_name="王芳"
        )
    assert refused.value.code == "guests_not_allowed"
    from palace.models import BookingRules

    await BookingRules.filter(facility_id=gym.id).update(guests_allowed=True)
    first = (
        await walkins.walk_in(
            actor_id=desk.id, resource_id=resource.id, starts_at=start, guest_name=" 王芳 "
        )
    ).booking
    second = (
        await walkins.walk_in(
            actor_id=desk.id, resource_id=resource.id, starts_at=start, guest_name="李雷"
        )
    ).booking
    assert first is not None and second is not None
    assert (first.guest_name, second.guest_name) == ("王芳", "李雷")
    assert (await Slot.get(id=first.slot_id)).taken == 2
    # Guests are not the clerk's own bookings, nor count against the clerk's quota.
    mine = await booking_views.member_bookings(member_id=desk.id)
    assert mine.upcoming == [] and mine.past == []
    board = await now_board.board(facility_id=gym.id)
    names = [p.name for e in board.halls[0].rows[0].periods[-1].expected for p in e.people]
    assert names == ["王芳", "李雷"]


async def test_a_class_place_walk_in(move_to: Move) -> None:
    room = await make_hall(code="yoga", kind=FacilityKind.CLASSROOM, courts=1)
    desk, member = await make_member(), await make_member()
    session = await make_session_slot(await court(room), slot_at(1, 19), capacity=1)
    move_to(slot_at(1, 19) - timedelta(minutes=20))
    booking = (
        await walkins.walk_in(actor_id=desk.id, slot_id=session.id, card=member.card_no)
    ).booking
    assert booking is not None
    assert booking.slot_id == session.id
    other = await make_member()
    with pytest.raises(BookingError) as full:
        await walkins.walk_in(actor_id=desk.id, slot_id=session.id, card=other.card_no)
    assert full.value.code == "slot_taken"
    assert await Booking.filter(slot_id=session.id).count() == 1
