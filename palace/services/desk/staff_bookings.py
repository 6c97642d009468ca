"""What staff look up: a hall's bookings on one day, and one booking's full history; and
the palace cancelling a booking (the desk or staff, for a member).

A cancel by the desk or staff is the palace's: never a late cancel nor anything else
that counts against the member, always with a reason the member is told.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date

from palace.models import AuditEvent, Booking, BookingPartner, BookingStatus, Facility, Member
from palace.services.booking import booking_states, bookings
from palace.services.core import after_commit, audit, clock, text
from palace.services.core.errors import NotFound, ServiceError
from palace.services.facilities import facilities
from palace.services.facilities.closures import CANCELLED_KIND
from palace.services.messages import notifications

REASON_MAX = 200


@dataclass(frozen=True)
class DayRow:
    booking: Booking  # with ``resource`` and ``member`` loaded
    partners: int

    @property
    def state(self) -> booking_states.Shown:
        return booking_states.shown(self.booking)


@dataclass(frozen=True)
class DayBookings:
    facility: Facility
    day: date
    rows: list[DayRow]


@dataclass(frozen=True)
class HistoryEntry:
    event: AuditEvent
    actor: Member | None  # None: the system (a worker), or an account since removed


@dataclass(frozen=True)
class BookingRecord:
    booking: Booking  # with ``facility``, ``resource`` and ``member`` loaded
    partners: list[Member]
    history: list[HistoryEntry]

    @property
    def state(self) -> booking_states.Shown:
        return booking_states.shown(self.booking)

    @property
    def cancellable(self) -> bool:
        """Whether staff may still cancel it: confirmed and not started."""
        return may_cancel(self.booking)


def may_cancel(booking: Booking) -> bool:
    return booking.status == BookingStatus.CONFIRMED and clock.utc(booking.starts_at) > (
        clock.now()
    )


async def day_bookings(*, facility_id: int, day: date) -> DayBookings:
    """Every booking of the hall starting on that local day, cancelled ones included."""
    facility = await facilities.get_facility(facility_id=facility_id)
    day_from, day_to = clock.day_bounds(day)
    found = (
        await Booking.filter(facility_id=facility_id, starts_at__gte=day_from, starts_at__lt=day_to)
        .select_related("resource", "member")
        .order_by("starts_at", "resource__sort_order", "resource_id", "id")
    )
    partner_rows = await BookingPartner.filter(booking_id__in=[b.id for b in found])
    counts = Counter(row.booking_id for row in partner_rows)
    return DayBookings(facility, day, [DayRow(b, counts[b.id]) for b in found])


async def booking_record(*, booking_id: int) -> BookingRecord:
    booking = await Booking.get_or_none(id=booking_id).select_related(
        "facility", "resource", "member"
    )
    if booking is None:
        raise NotFound("unknown_booking")
    partners = [
        row.member
        for row in await BookingPartner.filter(booking_id=booking_id)
        .select_related("member")
        .order_by("id")
    ]
    events = await audit.history(entity="booking", entity_id=booking_id)
    actor_ids = {e.actor_id for e in events if e.actor_id is not None}
    actors = {m.id: m for m in await Member.filter(id__in=actor_ids)}
    history = [
        HistoryEntry(e, actors.get(e.actor_id) if e.actor_id is not None else None) for e in events
    ]
    return BookingRecord(booking, partners, history)


async def cancel(
    *, actor_id: int, booking_id: int, reason: str, at_desk: bool, member_id: int | None = None
) -> Booking:
    """The palace cancels a booking: the desk for the member in front of it (``member_id``,
    whose own booking it must be), or staff. Not a late cancel whatever the hour, never a
    strike; the booker and partners are told the reason. The place is freed by
    ``bookings.release``, the one way out."""
    reason = _reason(reason)
    booking = await Booking.get_or_none(id=booking_id)
    if booking is None or member_id not in (None, booking.member_id):
        raise NotFound("unknown_booking")
    if booking.status != BookingStatus.CONFIRMED:
        raise ServiceError("already_cancelled")
    if not may_cancel(booking):
        raise ServiceError("booking_started")
    async with after_commit.transaction():
        await bookings.release(
            booking,
            status=BookingStatus.CANCELLED_BY_PALACE,
            actor_id=actor_id,
            action="desk_cancel" if at_desk else "staff_cancel",
            detail={"reason": reason},
        )
        await _tell(booking, reason)
    return await Booking.get(id=booking_id)


def _reason(raw: str) -> str:
    """The reason as typed, on one line; members read it as it was written."""
    reason = text.line(raw)
    if not reason:
        raise ServiceError("cancel_reason_missing")
    if len(reason) > REASON_MAX:
        raise ServiceError("cancel_reason_too_long", max=REASON_MAX)
    return reason


async def _tell(booking: Booking, reason: str) -> None:
    """The booker (not a clerk holding a guest's place) and every partner."""
    partners = await BookingPartner.filter(booking_id=booking.id).only("member_id")
    booker = [] if booking.guest_name else [booking.member_id]
    detail = {
        "reason": reason,
        "facility_id": booking.facility_id,
        "resource_id": booking.resource_id,
        "slot_id": booking.slot_id,
        "starts_at": clock.utc(booking.starts_at).isoformat(),
    }
    for member_id in dict.fromkeys([*booker, *(row.member_id for row in partners)]):
        await notifications.notify(
            member_id=member_id, kind=CANCELLED_KIND, booking_id=booking.id, detail=detail
        )
