"""Every way a place is freed: ``release``, the one way out, and the cancels built on it.

``release`` flips a confirmed booking with one conditional UPDATE (so a double cancel
frees the place once), gives back the place and any room blocks, holds the freed place
for the line in the same transaction (services/waitlist/holds) and writes the audit
event. Places are taken by ``bookings.take``; this is the other half of the core.
"""

from tortoise.expressions import F

from palace import metrics
from palace.models import Booking, BookingStatus, Slot
from palace.services.booking import slots
from palace.services.booking.bookings import BookingError, BookingNotFound
from palace.services.core import after_commit, audit, clock
from palace.services.waitlist import holds


async def cancel(*, member_id: int, booking_id: int, actor_id: int | None = None) -> Booking:
    """The member cancels their own booking; after the cut-off it is a late cancel.

    ``actor_id`` is the desk clerk when the member asks at the desk (audited as theirs).
    """
    booking = await own_booking(member_id=member_id, booking_id=booking_id)
    if booking.status != BookingStatus.CONFIRMED:
        raise BookingError("already_cancelled")
    if booking.starts_at <= clock.now():
        raise BookingError("booking_started")
    terms = await slots.terms(booking.slot_id)
    late = clock.now() > terms.late_from
    status = BookingStatus.LATE_CANCELLED if late else BookingStatus.CANCELLED
    by_desk = actor_id is not None and actor_id != member_id
    async with after_commit.transaction():
        await release(
            booking,
            status=status,
            actor_id=actor_id if by_desk else member_id,
            action="desk_cancel" if by_desk else "cancel",
        )
    return await Booking.get(id=booking_id)


@metrics.booking_outcomes("release")
async def release(
    booking: Booking,
    *,
    status: BookingStatus,
    actor_id: int | None,
    action: str,
    detail: dict[str, object] | None = None,
) -> None:
    """Cancel a confirmed booking and free its place; the one way out. Call inside a
    transaction.

    The conditional UPDATE makes a double cancel (two tabs, a closure racing the
    member) free the place once only.
    """
    changed = await Booking.filter(id=booking.id, status=BookingStatus.CONFIRMED).update(
        status=status, live_slot=None, live_child_slot=None, cancelled_at=clock.now()
    )
    if not changed:
        raise BookingError("already_cancelled")
    await Slot.filter(id=booking.slot_id).update(taken=F("taken") - 1)
    await slots.unblock_room(booking_id=booking.id)
    # The first in line gets the place: it is held for the waitlist in this transaction.
    await holds.hold_for_line(booking.slot_id, event=f"release:{booking.id}")
    await audit.record(
        actor_id=actor_id,
        entity="booking",
        entity_id=booking.id,
        action=action,
        from_state=BookingStatus.CONFIRMED,
        to_state=status,
        detail=detail,
    )


async def release_upcoming(*, member_id: int, actor_id: int | None, action: str) -> int:
    """Cancel every booking of the member's that has not started (an account disabled),
    freeing the places; inside the caller's transaction. Returns how many."""
    found = await Booking.filter(
        member_id=member_id,
        guest_name__isnull=True,
        status=BookingStatus.CONFIRMED,
        starts_at__gt=clock.now(),
    )
    for booking in found:
        await release(
            booking, status=BookingStatus.CANCELLED_BY_PALACE, actor_id=actor_id, action=action
        )
    return len(found)


async def own_booking(*, member_id: int, booking_id: int) -> Booking:
    """The member's own booking; someone else's id looks exactly like a missing one."""
    booking = await Booking.get_or_none(id=booking_id, member_id=member_id)
    if booking is None:
        raise BookingNotFound("unknown_booking")
    return booking
