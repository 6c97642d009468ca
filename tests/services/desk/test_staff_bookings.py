"""The palace cancelling a booking (the desk or staff): never a late cancel, always a
reason, the place freed through the one release path, everyone on the booking told."""

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from palace.models import AuditEvent, Booking, BookingStatus, Notification, Role, Slot
from palace.services.booking import bookings
from palace.services.core import clock
from palace.services.core.errors import ServiceError
from palace.services.desk import staff_bookings
from tests.helpers import add_partners, court, make_hall, make_member, slot_at

Move = Callable[[datetime], None]


@pytest.fixture
def move_to(monkeypatch: pytest.MonkeyPatch) -> Move:
    def move(instant: datetime) -> None:
        monkeypatch.setattr(clock, "now", lambda: instant)

    return move


async def test_staff_cancel_after_the_cut_off_is_the_palaces_and_tells_everyone(
    move_to: Move,
) -> None:
    hall = await make_hall(partners_allowed=True)
    owner, partner = await make_member(), await make_member()
    staff = await make_member(role=Role.STAFF)
    start = slot_at()
    booking = await bookings.book(
        member_id=owner.id, resource_id=(await court(hall)).id, starts_at=start
    )
    await add_partners(owner.id, booking.id, [partner])
    move_to(start - timedelta(minutes=30))  # well after the 2-hour cut-off
    done = await staff_bookings.cancel(
        actor_id=staff.id, booking_id=booking.id, reason="  场地\n漏水 ", at_desk=False
    )
    assert done.status == BookingStatus.CANCELLED_BY_PALACE
    assert (await Slot.get(id=booking.slot_id)).taken == 0
    event = await AuditEvent.get(entity_id=booking.id, action="staff_cancel")
    assert event.actor_id == staff.id and event.to_state == BookingStatus.CANCELLED_BY_PALACE
    assert event.detail == {"reason": "场地 漏水"}
    told = await Notification.filter(kind="booking_cancelled_by_palace").order_by("member_id")
    assert [n.member_id for n in told] == [owner.id, partner.id]
    assert all(n.booking_id == booking.id and n.detail["reason"] == "场地 漏水" for n in told)


async def test_the_palace_cancel_refuses_what_it_must(move_to: Move) -> None:
    hall = await make_hall()
    owner, stranger = await make_member(), await make_member()
    desk = await make_member(role=Role.DESK)
    start = slot_at()
    booking = await bookings.book(
        member_id=owner.id, resource_id=(await court(hall)).id, starts_at=start
    )

    async def refused(code: str, **given: object) -> None:
        values: dict[str, object] = {"reason": "会员改期", "member_id": owner.id, **given}
        with pytest.raises(ServiceError) as caught:
            await staff_bookings.cancel(
                actor_id=desk.id,
                booking_id=booking.id,
                at_desk=True,
                **values,  # type: ignore[arg-type]
            )
        assert caught.value.code == code

    await refused("cancel_reason_missing", reason=" \n ")
    await refused("cancel_reason_too_long", reason="长" * 201)
    await refused("unknown_booking", member_id=stranger.id)
    move_to(start + timedelta(minutes=1))
    await refused("booking_started")
    assert (await Booking.get(id=booking.id)).status == BookingStatus.CONFIRMED
    move_to(start - timedelta(hours=1))
    await staff_bookings.cancel(
        actor_id=desk.id, booking_id=booking.id, reason="会员改期", at_desk=True, member_id=owner.id
    )
    await refused("already_cancelled")
    assert await AuditEvent.filter(entity_id=booking.id, action="desk_cancel").count() == 1
