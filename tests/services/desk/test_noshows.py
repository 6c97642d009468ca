"""No-shows: released and struck once, suspension at the threshold, waivers, disabled accounts."""

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from palace.models import (
    AuditEvent,
    Booking,
    BookingStatus,
    Member,
    MemberStatus,
    Notification,
    Role,
    Slot,
    Strike,
    Suspension,
)
from palace.services.accounts import admin as admin_changes
from palace.services.booking import bookings, tickets
from palace.services.booking.bookings import BookingError
from palace.services.core import clock
from palace.services.desk import checkin, noshows, strikes
from palace.services.desk.strikes import StrikeError
from tests.helpers import add_partners, court, make_hall, make_member, slot_at

Move = Callable[[datetime], None]


@pytest.fixture
def move_to(monkeypatch: pytest.MonkeyPatch) -> Move:
    def move(instant: datetime) -> None:
        monkeypatch.setattr(clock, "now", lambda: instant)

    return move


async def _book(member: Member, days: int, hour: int = 10, court_no: int = 1) -> Booking:
    from palace.models import Facility

    hall = await Facility.get_or_none(code="badminton") or await make_hall(max_active=9)
    resource = await court(hall, court_no)
    return await bookings.book(
        member_id=member.id, resource_id=resource.id, starts_at=slot_at(days, hour)
    )


async def test_the_job_releases_a_no_show_and_records_one_strike_however_often_it_runs(
    move_to: Move,
) -> None:
    member = await make_member()
    booking = await _book(member, days=1)
    start = slot_at(1)
    move_to(start + timedelta(minutes=14, seconds=59))
    assert await noshows.mark_no_shows() == 0  # check-in is still open
    move_to(start + timedelta(minutes=15))
    assert await noshows.mark_no_shows() == 1
    assert await noshows.mark_no_shows() == 0
    stored = await Booking.get(id=booking.id)
    assert (stored.status, stored.live_slot) == (BookingStatus.NO_SHOW, None)
    assert (await Slot.get(id=booking.slot_id)).taken == 0  # the place is free again
    assert await Strike.filter(member_id=member.id).count() == 1
    event = await AuditEvent.get(entity_id=booking.id, action="no_show")
    assert (event.actor_id, event.from_state, event.to_state) == (None, "confirmed", "no_show")
    assert await Notification.filter(member_id=member.id, kind="no_show").count() == 1


async def test_someone_checked_in_is_no_no_show(move_to: Move) -> None:

    desk, booker, mate = await make_member(), await make_member(), await make_member()
    attended = await _book(booker, days=1)
    doubles = await _book(booker, days=1, court_no=2, hour=12)
    await add_partners(booker.id, doubles.id, [mate])
    first, second = slot_at(1), slot_at(1, 12)
    move_to(first)
    await checkin.by_code(actor_id=desk.id, token=tickets.token_for(attended.id), facility_id=None)
    move_to(second)
    await checkin.by_card(actor_id=desk.id, card=mate.card_no, facility_id=None)
    move_to(second + timedelta(hours=2))
    assert await noshows.mark_no_shows() == 0
    assert await Strike.all().count() == 0


async def test_bookings_made_before_check_in_existed_are_left_alone(move_to: Move) -> None:
    member = await make_member()
    booking = await _book(member, days=1)
    await Booking.filter(id=booking.id).update(checkin_expected=False)
    move_to(slot_at(1) + timedelta(hours=1))
    assert await noshows.mark_no_shows() == 0
    assert (await Booking.get(id=booking.id)).status == BookingStatus.CONFIRMED


async def _no_show(member: Member, days: int, move_to: Move) -> Booking:
    booking = await _book(member, days=days)
    move_to(slot_at(days) + timedelta(hours=1))
    assert await noshows.mark_no_shows() == 1
    return booking


async def test_two_strikes_in_30_days_suspend_booking_for_14_days(move_to: Move) -> None:
    member = await make_member()
    later = slot_at(6)
    first = await _book(member, days=1)
    await _book(member, days=3)
    move_to(slot_at(1) + timedelta(hours=1))
    await noshows.mark_no_shows()
    assert (await Member.get(id=member.id)).booking_suspended_until is None
    when = slot_at(3) + timedelta(hours=1)
    move_to(when)
    await noshows.mark_no_shows()
    until = when + timedelta(days=14)
    stored = await Member.get(id=member.id)
    assert stored.booking_suspended_until is not None
    assert clock.utc(stored.booking_suspended_until) == until
    suspension = await Suspension.get(member_id=member.id)
    assert (suspension.threshold, suspension.period_days) == (2, 30)
    with pytest.raises(BookingError) as caught:
        await bookings.book(
            member_id=member.id, resource_id=first.resource_id, starts_at=later + timedelta(days=1)
        )
    assert caught.value.code == "booking_suspended"
    assert caught.value.params["until"] == until
    assert await Notification.filter(member_id=member.id, kind="booking_suspended").count() == 1
    move_to(until)  # over: booking is open again
    await bookings.book(
        member_id=member.id, resource_id=first.resource_id, starts_at=until + timedelta(days=1)
    )


async def test_strikes_further_apart_than_the_period_do_not_suspend(move_to: Move) -> None:
    member = await make_member()
    await _no_show(member, days=1, move_to=move_to)
    await Strike.filter(member_id=member.id).update(at=slot_at(1) - timedelta(days=31))
    await _no_show(member, days=2, move_to=move_to)
    assert not await Suspension.exists(member_id=member.id)


async def test_the_threshold_is_configurable(
    move_to: Move, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(strikes, "policy", lambda: strikes.Policy(3, 30, 7))
    member = await make_member()
    for days in (1, 2):
        await _no_show(member, days=days, move_to=move_to)
    assert not await Suspension.exists(member_id=member.id)
    await _no_show(member, days=3, move_to=move_to)
    suspension = await Suspension.get(member_id=member.id)
    assert suspension.ends_at - suspension.starts_at == timedelta(days=7)


async def test_a_waiver_lifts_the_suspension_it_caused(move_to: Move) -> None:
    staff, member = await make_member(role=Role.STAFF), await make_member()
    await _no_show(member, days=1, move_to=move_to)
    booking = await _no_show(member, days=2, move_to=move_to)
    strike = await Strike.get(booking_id=booking.id)
    with pytest.raises(StrikeError) as missing:
        await strikes.waive(actor_id=staff.id, strike_id=strike.id, reason="  ")
    assert missing.value.code == "waive_reason_missing"
    await strikes.waive(actor_id=staff.id, strike_id=strike.id, reason="孩子生病，已电话说明")
    assert (await Member.get(id=member.id)).booking_suspended_until is None
    suspension = await Suspension.get(member_id=member.id)
    assert suspension.lifted_at is not None and suspension.lifted_by_id == staff.id
    waived = await AuditEvent.get(entity="booking", entity_id=booking.id, action="strike_waived")
    assert (waived.actor_id, waived.detail["reason"]) == (staff.id, "孩子生病，已电话说明")
    await _book(member, days=5)  # may book again
    with pytest.raises(StrikeError) as twice:
        await strikes.waive(actor_id=staff.id, strike_id=strike.id, reason="again")
    assert twice.value.code == "strike_already_waived"


async def test_a_waived_strike_does_not_count_towards_the_next_suspension(move_to: Move) -> None:
    staff, member = await make_member(role=Role.STAFF), await make_member()
    first = await _no_show(member, days=1, move_to=move_to)
    strike = await Strike.get(booking_id=first.id)
    await strikes.waive(actor_id=staff.id, strike_id=strike.id, reason="停电")
    await _no_show(member, days=2, move_to=move_to)
    assert not await Suspension.exists(member_id=member.id)


async def test_disabling_an_account_cancels_its_future_bookings(move_to: Move) -> None:
    admin, member = await make_member(role=Role.ADMIN), await make_member()
    future = await _book(member, days=2)
    asked = admin_changes.Asked("status", "disabled", "退会")
    await admin_changes.apply(actor_id=admin.id, member_id=member.id, asked=asked)
    stored = await Booking.get(id=future.id)
    assert stored.status == BookingStatus.CANCELLED_BY_PALACE
    assert (await Slot.get(id=future.slot_id)).taken == 0
    event = await AuditEvent.get(entity_id=future.id, action="account_disabled")
    assert event.actor_id == admin.id
    assert (await Member.get(id=member.id)).status == MemberStatus.DISABLED
