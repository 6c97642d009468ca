from datetime import timedelta

import pytest

from palace.models import (
    AuditEvent,
    Booking,
    BookingStatus,
    Closure,
    Notification,
    Role,
    Slot,
)
from palace.services.booking import bookings
from palace.services.booking.bookings import BookingError
from palace.services.core import clock
from palace.services.facilities import closures
from palace.services.facilities.closures import ClosureError
from tests.helpers import add_partners, court, make_hall, make_member, slot_at


async def _book(resource_id: int, hour: int, days: int = 1) -> Booking:
    member = await make_member()
    return await bookings.book(
        member_id=member.id, resource_id=resource_id, starts_at=slot_at(days=days, hour=hour)
    )


async def _status(booking: Booking) -> BookingStatus:
    return (await Booking.get(id=booking.id)).status


async def test_closing_the_hall_cancels_exactly_the_overlapping_bookings() -> None:
    hall = await make_hall(courts=2)
    other_hall = await make_hall(code="table-tennis", courts=1)
    c1, c2 = await court(hall, 1), await court(hall, 2)
    inside = [await _book(c1.id, 10), await _book(c2.id, 11)]
    outside = [
        await _book(c1.id, 9),  # ends as the closure starts
        await _book(c2.id, 12),  # starts as it ends
        await _book(c1.id, 10, days=2),
        await _book((await court(other_hall)).id, 10),
    ]
    staff = await make_member(role=Role.STAFF)
    closure, cancelled = await closures.close(
        actor_id=staff.id,
        facility_id=hall.id,
        resource_id=None,
        starts_at=slot_at(hour=10),
        ends_at=slot_at(hour=12),
        reason="  市职工羽毛球赛  ",
    )
    assert cancelled == 2
    assert closure.reason == "市职工羽毛球赛"
    assert [await _status(b) for b in inside] == [BookingStatus.CANCELLED_BY_PALACE] * 2
    assert [await _status(b) for b in outside] == [BookingStatus.CONFIRMED] * 4
    for booking in inside:
        assert (await Slot.get(id=booking.slot_id)).taken == 0
        event = await AuditEvent.get(entity="booking", entity_id=booking.id, action="close")
        assert (event.actor_id, event.from_state, event.to_state) == (
            staff.id,
            "confirmed",
            "cancelled_by_palace",
        )
        assert event.detail == {"closure_id": closure.id, "reason": "市职工羽毛球赛"}
    made = await AuditEvent.get(entity="closure", entity_id=closure.id)
    assert (made.actor_id, made.action, made.detail["reason"]) == (
        staff.id,
        "close",
        "市职工羽毛球赛",
    )


async def test_closing_one_court_leaves_the_others_booked() -> None:
    hall = await make_hall(courts=2)
    c1, c2 = await court(hall, 1), await court(hall, 2)
    on_c1, on_c2 = await _book(c1.id, 10), await _book(c2.id, 10)
    staff = await make_member(role=Role.STAFF)
    _closure, cancelled = await closures.close(
        actor_id=staff.id,
        facility_id=hall.id,
        resource_id=c1.id,
        starts_at=slot_at(hour=8),
        ends_at=slot_at(hour=18),
        reason="换地胶",
    )
    assert cancelled == 1
    assert await _status(on_c1) == BookingStatus.CANCELLED_BY_PALACE
    assert await _status(on_c2) == BookingStatus.CONFIRMED
    # The closed court cannot be booked again; the place it freed stays unused.
    with pytest.raises(BookingError) as caught:
        await _book(c1.id, 10)
    assert caught.value.code == "slot_closed"
    assert (await Slot.get(id=on_c1.slot_id)).taken == 0


async def test_the_booker_and_every_partner_are_notified_once() -> None:
    hall = await make_hall(partners_allowed=True)
    owner, p1, p2 = await make_member(), await make_member(), await make_member()
    resource = await court(hall)
    booking = await bookings.book(member_id=owner.id, resource_id=resource.id, starts_at=slot_at())
    await add_partners(owner.id, booking.id, [p1, p2])
    bystander = await make_member()
    staff = await make_member(role=Role.STAFF)
    await closures.close(
        actor_id=staff.id,
        facility_id=hall.id,
        resource_id=None,
        starts_at=slot_at(hour=0),
        ends_at=slot_at(hour=23),
        reason="停电检修",
    )
    # (Invitations and their answers are notifications too.)
    notes = await Notification.filter(kind="booking_cancelled_by_palace")
    assert sorted(n.member_id for n in notes) == sorted([owner.id, p1.id, p2.id])
    assert bystander.id not in {n.member_id for n in notes}
    for note in notes:
        assert (note.kind, note.booking_id) == ("booking_cancelled_by_palace", booking.id)
        assert note.detail["reason"] == "停电检修"
        assert note.detail["facility"] == "badminton"
        assert note.detail["starts_at"] == slot_at().isoformat()


async def test_affected_counts_without_closing() -> None:
    hall = await make_hall()
    booking = await _book((await court(hall)).id, 10)
    count = await closures.affected(
        facility_id=hall.id,
        resource_id=None,
        starts_at=slot_at(hour=9),
        ends_at=slot_at(hour=11),
        reason="比赛",
    )
    assert count == 1
    assert await Closure.all().count() == 0
    assert await _status(booking) == BookingStatus.CONFIRMED


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"ends_at": slot_at(hour=9)}, "ends_at", "closure_ends_before_start"),
        (
            {"starts_at": slot_at(days=-2), "ends_at": slot_at(days=-1)},
            "ends_at",
            "closure_in_past",
        ),
        ({"reason": "   "}, "reason", "closure_reason_missing"),
        ({"reason": "赛" * 201}, "reason", "closure_reason_too_long"),
        ({"resource_id": "other"}, "resource_id", "closure_resource_unknown"),
    ],
)
async def test_bad_closures_change_nothing(
    change: dict[str, object], field: str, code: str
) -> None:
    hall = await make_hall()
    other = await make_hall(code="gym", courts=1)
    booking = await _book((await court(hall)).id, 10)
    staff = await make_member(role=Role.STAFF)
    values: dict[str, object] = {
        "facility_id": hall.id,
        "resource_id": None,
        "starts_at": slot_at(hour=10),
        "ends_at": slot_at(hour=12),
        "reason": "比赛",
        **change,
    }
    if values["resource_id"] == "other":
        values["resource_id"] = (await court(other)).id
    with pytest.raises(ClosureError) as caught:
        await closures.close(actor_id=staff.id, **values)  # type: ignore[arg-type]
    assert caught.value.fields == {field: code}
    assert await Closure.all().count() == 0
    assert await _status(booking) == BookingStatus.CONFIRMED
    assert await Notification.filter(kind="booking_cancelled_by_palace").count() == 0
    assert await AuditEvent.filter(entity="closure").count() == 0


async def test_a_closure_that_has_begun_may_still_be_made() -> None:
    hall = await make_hall()
    staff = await make_member(role=Role.STAFF)
    now = clock.now()
    closure, _ = await closures.close(
        actor_id=staff.id,
        facility_id=hall.id,
        resource_id=None,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=3),
        reason="漏水",
    )
    assert await Closure.exists(id=closure.id)


async def _escaped_booking() -> tuple[Booking, Closure]:
    """A booking that committed while a closure over it was being made (the race)."""
    hall = await make_hall()
    booking = await _book((await court(hall)).id, 10)
    closure = await Closure.create(
        facility=hall, starts_at=slot_at(hour=8), ends_at=slot_at(hour=20), reason="比赛"
    )
    return booking, closure


async def test_sweep_cancels_a_booking_that_escaped_and_is_idempotent() -> None:
    booking, closure = await _escaped_booking()
    assert await closures.sweep() == 1
    assert await _status(booking) == BookingStatus.CANCELLED_BY_PALACE
    assert (await Slot.get(id=booking.slot_id)).taken == 0
    event = await AuditEvent.get(entity="booking", entity_id=booking.id, action="close")
    assert event.actor_id is None
    assert event.detail["closure_id"] == closure.id
    assert (
        await Notification.filter(
            member_id=booking.member_id, kind="booking_cancelled_by_palace"
        ).count()
        == 1
    )
    assert await closures.sweep() == 0
    assert await Notification.filter(kind="booking_cancelled_by_palace").count() == 1
    assert await AuditEvent.filter(entity="booking", action="close").count() == 1


async def test_sweep_leaves_closures_that_are_over_alone() -> None:
    booking, closure = await _escaped_booking()
    # The closure is over (moved into the past); its booking is history, not a race.
    await Closure.filter(id=closure.id).update(
        starts_at=clock.now() - timedelta(days=2), ends_at=clock.now() - timedelta(days=1)
    )
    await Booking.filter(id=booking.id).update(
        starts_at=clock.now() - timedelta(days=2, hours=-1),
        ends_at=clock.now() - timedelta(days=2, hours=-2),
    )
    assert await closures.sweep() == 0
    assert await _status(booking) == BookingStatus.CONFIRMED


async def test_reopen_deletes_the_closure_but_not_the_cancellations() -> None:
    hall = await make_hall()
    booking = await _book((await court(hall)).id, 10)
    staff = await make_member(role=Role.STAFF)
    closure, _ = await closures.close(
        actor_id=staff.id,
        facility_id=hall.id,
        resource_id=None,
        starts_at=slot_at(hour=9),
        ends_at=slot_at(hour=11),
        reason="比赛",
    )
    await closures.reopen(actor_id=staff.id, closure_id=closure.id)
    assert not await Closure.exists(id=closure.id)
    assert await _status(booking) == BookingStatus.CANCELLED_BY_PALACE
    event = await AuditEvent.get(entity="closure", entity_id=closure.id, action="reopen")
    assert event.actor_id == staff.id and event.detail["reason"] == "比赛"
    with pytest.raises(ClosureError) as caught:
        await closures.reopen(actor_id=staff.id, closure_id=closure.id)
    assert caught.value.code == "unknown_closure"


async def test_a_closure_that_is_over_cannot_be_reopened() -> None:
    hall = await make_hall()
    staff = await make_member(role=Role.STAFF)
    past = await Closure.create(
        facility=hall,
        starts_at=clock.now() - timedelta(days=2),
        ends_at=clock.now() - timedelta(days=1),
        reason="比赛",
    )
    with pytest.raises(ClosureError) as caught:
        await closures.reopen(actor_id=staff.id, closure_id=past.id)
    assert caught.value.code == "closure_over"
    assert await Closure.exists(id=past.id)
    assert await AuditEvent.filter(entity="closure").count() == 0


async def test_a_closure_reaching_into_the_past_leaves_bookings_that_are_over() -> None:
    hall = await make_hall()
    staff = await make_member(role=Role.STAFF)
    over = await _book((await court(hall)).id, 10)
    now = clock.now()
    await Booking.filter(id=over.id).update(
        starts_at=now - timedelta(hours=3), ends_at=now - timedelta(hours=2)
    )
    await closures.close(
        actor_id=staff.id,
        facility_id=hall.id,
        resource_id=None,
        starts_at=now - timedelta(days=2),
        ends_at=now + timedelta(days=2),
        reason="比赛",
    )
    assert await _status(over) == BookingStatus.CONFIRMED
    assert await closures.sweep() == 0
    assert await _status(over) == BookingStatus.CONFIRMED
