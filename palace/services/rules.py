"""Booking rules per facility: defaults from the brief, edited by staff, audited."""

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from tortoise.transactions import in_transaction

from palace.models import Booking, BookingRules, BookingStatus, Facility, FacilityKind, OpeningHours
from palace.services import audit, clock
from palace.services.errors import ServiceError

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


# Editing the rules. The form speaks in the units staff think in (hours, HH:MM);
# the row keeps minutes. Form field names are the keys of ``values``.
WEEKDAYS = range(7)
Hours = dict[int, list[tuple[int, int]]]  # weekday -> (opens, closes) periods


@dataclass(frozen=True)
class RulesForm:
    facility: Facility
    values: dict[str, str]
    split_days: list[int]  # days with several periods, which one form row merges
    upcoming_bookings: int


async def _facility(facility_id: int) -> Facility:
    facility = await Facility.get_or_none(id=facility_id)
    if facility is None:
        raise ServiceError("unknown_facility")
    return facility


async def upcoming_bookings(facility_id: int) -> int:
    return await Booking.filter(
        facility_id=facility_id, status=BookingStatus.CONFIRMED, ends_at__gt=clock.now()
    ).count()


def _hours_text(minutes: int) -> str:
    return f"{Decimal(minutes) / 60:.4f}".rstrip("0").rstrip(".")


def _stored_hours(rows: list[OpeningHours]) -> Hours:
    hours: Hours = {day: [] for day in WEEKDAYS}
    for row in sorted(rows, key=lambda r: (r.weekday, r.opens_minute)):
        hours[row.weekday].append((row.opens_minute, row.closes_minute))
    return hours


def form_values(facility_rules: BookingRules, hours: Hours) -> dict[str, str]:
    values = {
        "slot_minutes": str(facility_rules.slot_minutes),
        "days_ahead": str(facility_rules.days_ahead),
        "opens_at": clock.hhmm(facility_rules.opens_minute),
        "max_active": str(facility_rules.max_active),
        "max_hours": _hours_text(facility_rules.max_minutes_per_day),
        "cancel_cutoff_hours": _hours_text(facility_rules.cancel_cutoff_minutes),
        "partners_allowed": "on" if facility_rules.partners_allowed else "",
    }
    for day, periods in hours.items():
        values[f"open_{day}"] = clock.hhmm(periods[0][0]) if periods else ""
        values[f"close_{day}"] = clock.hhmm(periods[-1][1]) if periods else ""
        values[f"closed_{day}"] = "" if periods else "on"
    return values


async def rules_form(*, facility_id: int) -> RulesForm:
    facility = await _facility(facility_id)
    hours = _stored_hours(await OpeningHours.filter(facility_id=facility_id))
    return RulesForm(
        facility=facility,
        values=form_values(await rules_for(facility), hours),
        split_days=[day for day, periods in hours.items() if len(periods) > 1],
        upcoming_bookings=await upcoming_bookings(facility_id),
    )


def _number(text: str) -> Decimal | None:
    try:
        number = Decimal(unicodedata.normalize("NFKC", text).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _whole(text: str, low: int, high: int) -> int | None:
    number = _number(text)
    if number is None or number != number.to_integral_value() or not low <= number <= high:
        return None
    return int(number)


HALF_HOUR, DAY_HOURS, CUTOFF_HOURS = Decimal("0.5"), 24, 72


def _minutes_from_hours(text: str, low: Decimal | int, high: int, step: int) -> int | None:
    """Hours typed as 2 or 1.5, as whole minutes that are a multiple of ``step``."""
    number = _number(text)
    if number is None or not low <= number <= high:
        return None
    minutes = int((number * 60).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return minutes if minutes % step == 0 else None


def _parse_rules(
    facility: Facility, values: Mapping[str, str]
) -> tuple[dict[str, object], dict[str, str]]:
    def get(name: str) -> str:
        return values.get(name, "")[:20]

    parsed: dict[str, object] = {
        "slot_minutes": _whole(get("slot_minutes"), 1, 24 * 60),
        "days_ahead": _whole(get("days_ahead"), 0, 60),
        "opens_minute": clock.parse_minute(get("opens_at")),
        "max_active": _whole(get("max_active"), 1, 20),
        "max_minutes_per_day": _minutes_from_hours(get("max_hours"), HALF_HOUR, DAY_HOURS, 30),
        "cancel_cutoff_minutes": _minutes_from_hours(
            get("cancel_cutoff_hours"), 0, CUTOFF_HOURS, 1
        ),
    }
    if parsed["slot_minutes"] not in SLOT_LENGTHS:
        parsed["slot_minutes"] = None
    # Partners are named on court bookings only; elsewhere the switch stays off.
    parsed["partners_allowed"] = facility.kind == FacilityKind.COURT and bool(
        get("partners_allowed")
    )
    codes = {
        "slot_minutes": ("slot_minutes", "slot_length_invalid"),
        "days_ahead": ("days_ahead", "days_ahead_invalid"),
        "opens_minute": ("opens_at", "time_invalid"),
        "max_active": ("max_active", "max_active_invalid"),
        "max_minutes_per_day": ("max_hours", "max_hours_invalid"),
        "cancel_cutoff_minutes": ("cancel_cutoff_hours", "cutoff_invalid"),
    }
    errors = {field: code for name, (field, code) in codes.items() if parsed[name] is None}
    return parsed, errors


def _parse_hours(values: Mapping[str, str]) -> tuple[Hours, dict[str, str]]:
    hours: Hours = {}
    errors: dict[str, str] = {}
    for day in WEEKDAYS:
        if values.get(f"closed_{day}"):
            hours[day] = []
            continue
        opens = clock.parse_minute(values.get(f"open_{day}", "")[:20])
        closes = clock.parse_minute(values.get(f"close_{day}", "")[:20], end_of_day=True)
        if opens is None or closes is None:
            errors[f"hours_{day}"] = "opening_time_invalid"
        elif closes <= opens:
            errors[f"hours_{day}"] = "closes_before_opens"
        else:
            hours[day] = [(opens, closes)]
    return hours, errors


def _day_text(periods: list[tuple[int, int]]) -> str:
    if not periods:
        return "closed"
    return ", ".join(f"{clock.hhmm(a)}-{clock.hhmm(b)}" for a, b in periods)


def _changes(
    current: BookingRules, parsed: dict[str, object], old: Hours, new: Hours
) -> dict[str, list[object]]:
    changes: dict[str, list[object]] = {
        name: [getattr(current, name), value]
        for name, value in parsed.items()
        if getattr(current, name) != value
    }
    for day in WEEKDAYS:
        if old[day] != new[day]:
            changes[f"hours_{day}"] = [_day_text(old[day]), _day_text(new[day])]
    return changes


async def update_rules(
    *, actor_id: int, facility_id: int, values: Mapping[str, str]
) -> BookingRules:
    """Check every field, then save rules and opening hours together; audited.

    ServiceError("rules_invalid", fields=…) names every bad field and saves nothing.
    """
    facility = await _facility(facility_id)
    parsed, errors = _parse_rules(facility, values)
    new_hours, hour_errors = _parse_hours(values)
    if errors or hour_errors:
        raise ServiceError("rules_invalid", fields=errors | hour_errors)
    async with in_transaction():
        # One editor at a time per hall (the rules row may not exist yet to lock).
        await Facility.filter(id=facility_id).select_for_update().get()
        current = await rules_for(facility)
        old_hours = _stored_hours(await OpeningHours.filter(facility_id=facility_id))
        changes = _changes(current, parsed, old_hours, new_hours)
        if not changes:
            return current
        await _check_slot_length(facility_id, changes)
        for name, value in parsed.items():
            setattr(current, name, value)
        await current.save()
        if old_hours != new_hours:
            await _replace_hours(facility_id, new_hours)
        await audit.record(
            actor_id=actor_id,
            entity="facility",
            entity_id=facility_id,
            action="rules",
            detail=changes,
        )
    return current


async def _check_slot_length(facility_id: int, changes: dict[str, list[object]]) -> None:
    # Slot starts are a grid of multiples of the slot length: a new length would
    # lay slots across the bookings already made, and a court could be sold twice.
    if "slot_minutes" in changes and (count := await upcoming_bookings(facility_id)):
        raise ServiceError(
            "rules_invalid", fields={"slot_minutes": "slot_length_locked"}, count=count
        )


async def _replace_hours(facility_id: int, hours: Hours) -> None:
    await OpeningHours.filter(facility_id=facility_id).delete()
    await OpeningHours.bulk_create(
        [
            OpeningHours(facility_id=facility_id, weekday=day, opens_minute=a, closes_minute=b)
            for day, periods in hours.items()
            for a, b in periods
        ]
    )
