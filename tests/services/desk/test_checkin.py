"""Check-in at the desk: the window's edges, wrong day or hall, cancelled, forged codes."""

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from palace.models import AuditEvent, Booking, BookingPartner, BookingStatus, Member, Slot
from palace.services.booking import bookings, tickets
from palace.services.booking.bookings import BookingError
from palace.services.core import clock
from palace.services.desk import checkin
from palace.services.facilities import rules
from tests.helpers import add_partners, court, make_hall, make_member, slot_at

Move = Callable[[datetime], None]
START = timedelta(0)


@pytest.fixture
def move_to(monkeypatch: pytest.MonkeyPatch) -> Move:
    def move(instant: datetime) -> None:
        monkeypatch.setattr(clock, "now", lambda: instant)

    return move


async def _booked(member: Member, hall_code: str = "badminton", days: int = 1) -> Booking:
    hall = await make_hall(code=hall_code) if not await _hall_exists(hall_code) else None
    from palace.models import Facility

    facility = hall or await Facility.get(code=hall_code)
    return await bookings.book(
        member_id=member.id, resource_id=(await court(facility)).id, starts_at=slot_at(days)
    )


async def _hall_exists(code: str) -> bool:
    from palace.models import Facility

    return await Facility.exists(code=code)


async def test_the_window_opens_30_minutes_before_and_closes_15_after(move_to: Move) -> None:
    desk, member = await make_member(), await make_member()
    booking = await _booked(member)
    token, start = tickets.token_for(booking.id), slot_at(1)

    move_to(start - timedelta(minutes=30, seconds=1))
    early = await checkin.by_code(actor_id=desk.id, token=token, facility_id=None)
    assert (early.code, early.params["opens_at"]) == (
        "checkin_not_open",
        start - timedelta(minutes=30),
    )

    move_to(start + timedelta(minutes=15))
    late = await checkin.by_code(actor_id=desk.id, token=token, facility_id=None)
    assert late.code == "checkin_closed"
    assert (await Booking.get(id=booking.id)).checked_in_at is None

    move_to(start + timedelta(minutes=14, seconds=59))
    done = await checkin.by_code(actor_id=desk.id, token=token, facility_id=None)
    assert done.code == "checked_in" and done.ok
    assert [p.state for p in done.people] == ["checked_in"]
    stored = await Booking.get(id=booking.id)
    assert stored.status == BookingStatus.CONFIRMED and stored.checked_in_at is not None
    assert (await Slot.get(id=booking.slot_id)).taken == 1  # the place stays taken


async def test_the_window_follows_the_halls_rules(move_to: Move) -> None:
    hall = await make_hall(checkin_before_minutes=60, checkin_after_minutes=5)
    desk, member = await make_member(), await make_member()
    booking = await bookings.book(
        member_id=member.id, resource_id=(await court(hall)).id, starts_at=slot_at()
    )
    token, start = tickets.token_for(booking.id), slot_at()
    move_to(start - timedelta(minutes=61))
    assert (await checkin.by_code(actor_id=desk.id, token=token, facility_id=None)).code == (
        "checkin_not_open"
    )
    move_to(start - timedelta(minutes=59))
    assert (await checkin.by_code(actor_id=desk.id, token=token, facility_id=None)).ok
    move_to(start + timedelta(minutes=5))
    second = await checkin.by_code(actor_id=desk.id, token=token, facility_id=None)
    assert second.code == "already_checked_in"  # harmless, even after the window


async def test_the_window_opens_at_its_first_instant_and_closes_at_its_last() -> None:
    hall = await make_hall(checkin_before_minutes=20, checkin_after_minutes=5)
    facility_rules = await rules.rules_for(hall)
    start = slot_at()
    assert checkin.window(facility_rules, start) == (
        start - timedelta(minutes=20),
        start + timedelta(minutes=5),
    )
    edges = {-21: False, -20: True, 0: True, 4: True, 5: False}
    for minutes, open_then in edges.items():
        now = start + timedelta(minutes=minutes)
        assert checkin.is_open(facility_rules, start, now) is open_then, minutes


async def test_a_second_scan_is_harmless(move_to: Move) -> None:
    desk, member = await make_member(), await make_member()
    booking = await _booked(member)
    start = slot_at(1)
    move_to(start - timedelta(minutes=5))
    token = tickets.token_for(booking.id)
    first = await checkin.by_code(actor_id=desk.id, token=token, facility_id=None)
    first_at = (await Booking.get(id=booking.id)).checked_in_at
    move_to(start)
    second = await checkin.by_code(actor_id=desk.id, token=token, facility_id=None)
    assert (first.code, second.code) == ("checked_in", "already_checked_in")
    assert (await Booking.get(id=booking.id)).checked_in_at == first_at
    events = await AuditEvent.filter(entity_id=booking.id, action="check_in")
    assert len(events) == 1 and events[0].actor_id == desk.id


async def test_a_code_for_another_day_checks_nothing_in(move_to: Move) -> None:
    desk, member = await make_member(), await make_member()
    booking = await _booked(member, days=2)
    day = clock.local_day(slot_at(2))
    move_to(slot_at(1))  # the same time of day, a day early
    result = await checkin.by_code(
        actor_id=desk.id, token=tickets.token_for(booking.id), facility_id=None
    )
    assert result.code == "wrong_day" and not result.ok
    assert result.params["day"] == day
    assert result.booking is not None and result.booking.member.name == member.name
    assert (await Booking.get(id=booking.id)).checked_in_at is None


async def test_a_code_for_another_hall_checks_nothing_in(move_to: Move) -> None:
    desk, member = await make_member(), await make_member()
    gym = await make_hall(code="gym")
    booking = await _booked(member)
    move_to(slot_at(1))
    result = await checkin.by_code(
        actor_id=desk.id, token=tickets.token_for(booking.id), facility_id=gym.id
    )
    assert result.code == "wrong_hall"
    assert result.booking is not None and result.booking.facility.code == "badminton"
    assert (await Booking.get(id=booking.id)).checked_in_at is None
    here = await checkin.by_code(
        actor_id=desk.id, token=tickets.token_for(booking.id), facility_id=booking.facility_id
    )
    assert here.code == "checked_in"


async def test_a_cancelled_booking_checks_nothing_in(move_to: Move) -> None:
    desk, member = await make_member(), await make_member()
    booking = await _booked(member)
    await bookings.cancel(member_id=member.id, booking_id=booking.id)
    move_to(slot_at(1))
    result = await checkin.by_code(
        actor_id=desk.id, token=tickets.token_for(booking.id), facility_id=None
    )
    assert result.code == "booking_cancelled"
    assert (await Booking.get(id=booking.id)).checked_in_at is None


@pytest.mark.parametrize(
    "token",
    ["", "forged", "1.abc", "x" * 500, "\x00", tickets.token_for(1) + "x", "IjEi.abc"],
)
async def test_a_forged_code_is_refused(token: str) -> None:
    desk = await make_member()
    with pytest.raises(BookingError) as caught:
        await checkin.by_code(actor_id=desk.id, token=token, facility_id=None)
    assert caught.value.code == "invalid_code"


async def test_a_signed_code_for_no_booking_is_refused() -> None:
    desk = await make_member()
    with pytest.raises(BookingError) as caught:
        await checkin.by_code(actor_id=desk.id, token=tickets.token_for(999999), facility_id=None)
    assert caught.value.code == "invalid_code"


async def _doubles(move_to: Move) -> tuple[Member, Booking, list[Member]]:

    desk, booker = await make_member(), await make_member()
    mates = [await make_member(name=f"搭档{n}") for n in range(2)]
    booking = await _booked(booker)
    await add_partners(booker.id, booking.id, mates)
    move_to(slot_at(1) - timedelta(minutes=10))
    return desk, booking, mates


async def test_partners_are_checked_in_with_the_booker(move_to: Move) -> None:
    desk, booking, _ = await _doubles(move_to)
    result = await checkin.by_code(
        actor_id=desk.id, token=tickets.token_for(booking.id), facility_id=None
    )
    assert [p.state for p in result.people] == ["checked_in"] * 3
    assert await BookingPartner.filter(booking_id=booking.id, checked_in_at=None).count() == 0


async def test_partners_are_checked_in_one_by_one(move_to: Move) -> None:
    desk, booking, mates = await _doubles(move_to)
    one = await checkin.person(
        actor_id=desk.id, booking_id=booking.id, member_id=mates[1].id, facility_id=None
    )
    assert [p.state for p in one.people] == ["due", "due", "checked_in"]
    by_card = await checkin.by_card(actor_id=desk.id, card=mates[0].card_no, facility_id=None)
    assert by_card.code == "checked_in"
    assert [p.state for p in by_card.people] == ["due", "checked_in", "checked_in"]
    stranger = await make_member()
    with pytest.raises(BookingError):
        await checkin.person(
            actor_id=desk.id, booking_id=booking.id, member_id=stranger.id, facility_id=None
        )


async def test_check_in_by_card_number_finds_the_booking_due_now(move_to: Move) -> None:
    desk, member = await make_member(), await make_member()
    booking = await _booked(member)
    start = slot_at(1)
    move_to(start - timedelta(hours=2))
    early = await checkin.by_card(actor_id=desk.id, card=member.card_no, facility_id=None)
    assert early.code == "nothing_due"
    move_to(start + timedelta(minutes=3))
    typed = " " + member.card_no.lower() + " "
    result = await checkin.by_card(actor_id=desk.id, card=typed, facility_id=None)
    assert result.code == "checked_in" and result.booking is not None
    assert result.booking.id == booking.id
    assert [p.state for p in result.people] == ["checked_in"]
    unknown = await checkin.by_card(actor_id=desk.id, card="NOPE0000", facility_id=None)
    assert unknown.code == "unknown_card"
