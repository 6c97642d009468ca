"""Booking rules per facility: defaults from the brief, edited by staff, audited."""

from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta

from palace.models import BookingRules, Facility, FacilityKind, OpeningHours
from palace.services import clock

# Slot starts are multiples of the slot length from local midnight, so changing
# the opening hours never shifts the grid under bookings already made.
SLOT_LENGTHS = (30, 60, 90, 120)
MAX_PARTNERS = 3


@dataclass(frozen=True)
class Defaults:
    slot_minutes: int
    days_ahead: int
    opens_minute: int
    max_active: int
    max_minutes_per_day: int
    cancel_cutoff_minutes: int
    partners_allowed: bool


DEFAULTS = {
    # Courts: 7 days ahead at 08:00, 2 active bookings, 2 hours a day (LCSD peak rule).
    FacilityKind.COURT: Defaults(60, 7, 8 * 60, 2, 120, 120, True),
    # Gym hours: 3 days ahead at 07:00.
    FacilityKind.CAPACITY: Defaults(60, 3, 7 * 60, 3, 120, 60, False),
    FacilityKind.CLASSROOM: Defaults(60, 7, 8 * 60, 2, 120, 120, False),
}


def default_rules(facility: Facility) -> BookingRules:
    values = {f.name: getattr(DEFAULTS[facility.kind], f.name) for f in fields(Defaults)}
    return BookingRules(facility=facility, **values)


async def rules_for(facility: Facility) -> BookingRules:
    found = await BookingRules.get_or_none(facility_id=facility.id)
    return found or default_rules(facility)


def is_bookable(facility: Facility) -> bool:
    """Courts and capacity slots are booked here; classes come with class planning."""
    return facility.active and facility.kind != FacilityKind.CLASSROOM


def booking_opens_at(rules: BookingRules, day: date) -> datetime:
    return clock.at(day - timedelta(days=rules.days_ahead), rules.opens_minute)


def window(rules: BookingRules, today: date) -> tuple[date, date]:
    """The days a member may look at: today to the last day that opens in the window."""
    return today, today + timedelta(days=rules.days_ahead)


def slot_starts(rules: BookingRules, hours: list[OpeningHours], day: date) -> list[int]:
    """Local start minutes of the day's slots: on the grid and wholly inside opening hours."""
    step = rules.slot_minutes
    starts: set[int] = set()
    for period in hours:
        if period.weekday != day.weekday():
            continue
        first = -(-period.opens_minute // step) * step
        starts.update(range(first, period.closes_minute - step + 1, step))
    return sorted(starts)


def slot_times(
    rules: BookingRules, hours: list[OpeningHours], day: date
) -> list[tuple[datetime, datetime]]:
    length = rules.slot_minutes
    return [(clock.at(day, m), clock.at(day, m + length)) for m in slot_starts(rules, hours, day)]
