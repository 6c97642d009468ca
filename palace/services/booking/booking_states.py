"""How a booking is shown: the one place that decides, for members, the desk and staff.

The database keeps few states: a booking holds its place (confirmed) until it is
cancelled (by the member, late, or by the palace) or released as a no-show. Whether
the person came is recorded beside it (``checked_in_at``), because a checked-in
booking still holds its place for every rule that counts places. What people read
is derived here: a confirmed booking shows as checked in, or over once it has ended;
at the desk a person expected now is due, checked in, late or a no-show.
"""

from datetime import datetime
from enum import StrEnum

from palace.models import AuditEvent, Booking, BookingStatus, ClassSession
from palace.services.core import clock


class Shown(StrEnum):
    CONFIRMED = "confirmed"  # upcoming, the place is held
    CHECKED_IN = "checked_in"
    OVER = "over"  # ended without a check-in being recorded (or before check-in existed)
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"
    LATE_CANCELLED = "late_cancelled"
    CANCELLED_BY_PALACE = "cancelled_by_palace"
    # At the desk, for a person expected now:
    DUE = "due"  # not checked in, not started yet
    LATE = "late"  # started, not checked in, check-in still open


CANCELLED = frozenset(
    {BookingStatus.CANCELLED, BookingStatus.LATE_CANCELLED, BookingStatus.CANCELLED_BY_PALACE}
)


def is_cancelled(booking: Booking) -> bool:
    return booking.status in CANCELLED


def shown(booking: Booking, *, now: datetime | None = None) -> Shown:
    """A booking as its member, the desk and staff read it."""
    if booking.status != BookingStatus.CONFIRMED:
        return Shown(booking.status.value)
    if booking.checked_in_at is not None:
        return Shown.CHECKED_IN
    if clock.utc(booking.ends_at) <= (now or clock.now()):
        return Shown.OVER
    return Shown.CONFIRMED


def at_desk(
    *,
    status: BookingStatus,
    starts_at: datetime,
    checked_in_at: datetime | None,
    closes_at: datetime,
    now: datetime,
) -> Shown:
    """One person (the booker or a partner) expected at the desk around now."""
    if status != BookingStatus.CONFIRMED:
        return Shown(status.value)
    if checked_in_at is not None:
        return Shown.CHECKED_IN
    if now < clock.utc(starts_at):
        return Shown.DUE
    if now < closes_at:
        return Shown.LATE
    # Check-in has closed; the no-show job releases the place within a minute.
    return Shown.NO_SHOW


async def palace_reasons(found: list[Booking], sessions: dict[int, ClassSession]) -> dict[int, str]:
    """Why the palace cancelled each of ``found`` it cancelled, from the audit trail (the
    closure itself may have been reopened since). Read only when there are such."""
    ids = [
        b.id
        for b in found
        if b.status == BookingStatus.CANCELLED_BY_PALACE
        and not (b.slot_id in sessions and sessions[b.slot_id].cancel_reason)
    ]
    if not ids:
        return {}
    events = await AuditEvent.filter(
        entity="booking", entity_id__in=ids, to_state=BookingStatus.CANCELLED_BY_PALACE
    ).only("entity_id", "detail")
    return {
        e.entity_id: str(e.detail["reason"])
        for e in events
        if isinstance(e.detail, dict) and e.detail.get("reason")
    }
