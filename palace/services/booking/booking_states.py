"""How a booking is shown: the one place that decides, for members, the desk and staff.

The database keeps few states: a booking holds its place (confirmed) until it is
cancelled (by the member, late, or by the palace) or released as a no-show. Whether
the person came is recorded beside it (``checked_in_at``), because a checked-in
booking still holds its place for every rule that counts places. What people read
is derived here: a confirmed booking shows as checked in, or over once it has ended;
at the desk a person expected now is due, checked in, late or a no-show.

Who is shown a booking at all is decided here too (``visible_to``).
"""

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from tortoise.expressions import Q, Subquery

from palace.models import (
    AuditEvent,
    Booking,
    BookingPartner,
    BookingStatus,
    ClassSession,
    SessionStatus,
)
from palace.services.core import clock


class HasReason(Protocol):
    """A class session, as loaded or as a card's facts: why it was cancelled, if it was."""

    @property
    def cancel_reason(self) -> str: ...


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
    return shown_of(booking.status, booking.checked_in_at, booking.ends_at, now=now)


def shown_of(
    status: BookingStatus,
    checked_in_at: datetime | None,
    ends_at: datetime,
    *,
    now: datetime | None = None,
) -> Shown:
    """``shown`` from a booking's values, for a read that made no Booking."""
    if status != BookingStatus.CONFIRMED:
        return Shown(status.value)
    if checked_in_at is not None:
        return Shown.CHECKED_IN
    if clock.utc(ends_at) <= (now or clock.now()):
        return Shown.OVER
    return Shown.CONFIRMED


# Who sees a booking, stated once: the member who booked it for themself (a guest a
# clerk booked is not the clerk's) and every member named on it as a partner. The ORM
# filter, the SQL the hand-written reads join and the check on a loaded booking say the
# same; tests/services/booking/test_booking_views.py runs all three on the same rows.

VISIBLE_IDS = """SELECT o.id FROM bookings o WHERE o.member_id = :member AND o.guest_name IS NULL
  UNION SELECT p.booking_id FROM booking_partners p WHERE p.member_id = :member"""


def visible_to(member_id: int) -> Q:
    """The bookings ``member_id`` sees, as a filter: ``Booking.filter(visible_to(…))``."""
    named = Subquery(BookingPartner.filter(member_id=member_id).values("booking_id"))
    return Q(member_id=member_id, guest_name__isnull=True) | Q(id__in=named)


def sees(booking: Booking, member_id: int, partner_ids: Iterable[int]) -> bool:
    """Whether ``member_id`` sees a loaded booking, ``partner_ids`` its partners."""
    own = booking.member_id == member_id and booking.guest_name is None
    return own or member_id in set(partner_ids)


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
    ids = [b.id for b in found if needs_closure_reason(b.status, sessions.get(b.slot_id))]
    return await closure_reasons(ids)


def cancelled_with_class(status: BookingStatus, session_status: SessionStatus | None) -> bool:
    """The palace cancelled the place because its class was cancelled (the class says why)."""
    return session_status == SessionStatus.CANCELLED and status == BookingStatus.CANCELLED_BY_PALACE


def needs_closure_reason(status: BookingStatus, session: "HasReason | None") -> bool:
    """The palace cancelled it, and not with its class, whose own reason says why."""
    return status == BookingStatus.CANCELLED_BY_PALACE and not (session and session.cancel_reason)


async def closure_reasons(ids: list[int]) -> dict[int, str]:
    """The reason the palace gave for cancelling each of the bookings ``ids``, if any."""
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
