"""The booking rules form: the text staff typed (hours, HH:MM, full-width digits too)
read into the typed values palace.services.facilities.rules checks and saves, and back."""

from collections.abc import Mapping

from palace.models import BookingRules
from palace.services.core import clock, text
from palace.services.core.errors import ServiceError
from palace.services.facilities import rules

# The form's names for the rules whose form field is not named like the rule.
FORM_NAMES = {
    "opens_minute": "opens_at",
    "max_minutes_per_day": "max_hours",
    "cancel_cutoff_minutes": "cancel_cutoff_hours",
    "checkin_before_minutes": "checkin_before",
    "checkin_after_minutes": "checkin_after",
}
FIELD_LENGTH = 20  # nothing staff type here is longer


def values_of(facility_rules: BookingRules, hours: rules.Hours) -> dict[str, str]:
    """The form's fields as they show stored rules and opening hours."""
    values = {
        "slot_minutes": str(facility_rules.slot_minutes),
        "days_ahead": str(facility_rules.days_ahead),
        "opens_at": clock.hhmm(facility_rules.opens_minute),
        "max_active": str(facility_rules.max_active),
        "max_hours": text.hours_text(facility_rules.max_minutes_per_day),
        "cancel_cutoff_hours": text.hours_text(facility_rules.cancel_cutoff_minutes),
        "partners_allowed": "on" if facility_rules.partners_allowed else "",
        "checkin_before": str(facility_rules.checkin_before_minutes),
        "checkin_after": str(facility_rules.checkin_after_minutes),
        "guests_allowed": "on" if facility_rules.guests_allowed else "",
    }
    for day, periods in hours.items():
        values[f"open_{day}"] = clock.hhmm(periods[0][0]) if periods else ""
        values[f"close_{day}"] = clock.hhmm(periods[-1][1]) if periods else ""
        values[f"closed_{day}"] = "" if periods else "on"
    return values


def _read_rules(get: Mapping[str, str]) -> tuple[dict[str, int | None], dict[str, str]]:
    read = {
        "slot_minutes": text.whole(get["slot_minutes"]),
        "days_ahead": text.whole(get["days_ahead"]),
        "opens_minute": clock.parse_minute(get["opens_at"]),
        "max_active": text.whole(get["max_active"]),
        "max_minutes_per_day": text.minutes_from_hours(get["max_hours"]),
        "cancel_cutoff_minutes": text.minutes_from_hours(get["cancel_cutoff_hours"]),
        "checkin_before_minutes": text.whole(get["checkin_before"]),
        "checkin_after_minutes": text.whole(get["checkin_after"]),
    }
    codes = {
        "slot_minutes": "slot_length_invalid",
        "days_ahead": "days_ahead_invalid",
        "opens_minute": "time_invalid",
        "max_active": "max_active_invalid",
        "max_minutes_per_day": "max_hours_invalid",
        "cancel_cutoff_minutes": "cutoff_invalid",
        "checkin_before_minutes": "checkin_minutes_invalid",
        "checkin_after_minutes": "checkin_minutes_invalid",
    }
    return read, {name: codes[name] for name, value in read.items() if value is None}


def _read_hours(get: Mapping[str, str]) -> tuple[rules.Hours, dict[str, str]]:
    hours: rules.Hours = {}
    errors = {}
    for day in rules.WEEKDAYS:
        if get[f"closed_{day}"]:
            hours[day] = []
            continue
        opens = clock.parse_minute(get[f"open_{day}"])
        closes = clock.parse_minute(get[f"close_{day}"], end_of_day=True)
        if opens is None or closes is None:
            errors[f"hours_{day}"] = "opening_time_invalid"
        else:
            hours[day] = [(opens, closes)]
    return hours, errors


class _Fields(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""


def read(values: Mapping[str, str]) -> tuple[rules.RulesChange, rules.Hours]:
    """The typed rules and hours; ServiceError("rules_invalid") names unreadable fields."""
    get = _Fields({name: value[:FIELD_LENGTH] for name, value in values.items()})
    read_rules, errors = _read_rules(get)
    hours, hour_errors = _read_hours(get)
    if errors or hour_errors:
        # Said together with what was read but is out of bounds: staff fix it all at once.
        found = rules.rule_problems(read_rules) | rules.hour_problems(hours)
        raise ServiceError("rules_invalid", fields=form_fields(found | errors | hour_errors))
    change = rules.RulesChange(
        **{name: value for name, value in read_rules.items() if value is not None},
        partners_allowed=bool(get["partners_allowed"]),
        guests_allowed=bool(get["guests_allowed"]),
    )
    return change, hours


def form_fields(fields: Mapping[str, str]) -> dict[str, str]:
    """Problems named by rule, named by the form field that shows them."""
    return {FORM_NAMES.get(name, name): code for name, code in fields.items()}


async def save(*, actor_id: int, facility_id: int, values: Mapping[str, str]) -> None:
    """Read the form and save it; ServiceError names problems by form field."""
    change, hours = read(values)
    try:
        await rules.update_rules(
            actor_id=actor_id, facility_id=facility_id, change=change, hours=hours
        )
    except ServiceError as error:
        error.fields = form_fields(error.fields)
        raise
