"""What staff look up: a hall's bookings on one day, and one booking's full history."""

from collections import Counter
from dataclasses import dataclass
from datetime import date

from palace.models import AuditEvent, Booking, BookingPartner, Facility, Member
from palace.services import audit, booking_states, clock, facilities
from palace.services.errors import ServiceError


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
        raise ServiceError("unknown_booking")
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
