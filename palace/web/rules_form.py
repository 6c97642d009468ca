"""The booking rules form: the text staff typed (hours, HH:MM, full-width digits too)
read into the typed values palace.services.facilities.rules checks and saves, and back."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from palace.i18n import N_
from palace.models import BookingRules
from palace.services.core import clock, text
from palace.services.core.errors import ServiceError
from palace.services.facilities import rule_schema, rules

FIELD_LENGTH = 20  # nothing staff type here is longer
# How a rule is shown and read back, by the unit its declaration gives it.
SHOW: dict[rule_schema.Unit, Callable[[int], str]] = {
    "whole": str,
    "choice": str,
    "hours": text.hours_text,
    "clock": clock.hhmm,
    "switch": lambda on: "on" if on else "",
}
READ: dict[rule_schema.Unit, Callable[[str], int | None]] = {
    "whole": text.whole,
    "choice": text.whole,
    "hours": text.minutes_from_hours,
    "clock": clock.parse_minute,
}


# What the form says beside each numbered rule (the slot length is a list of its own).
WORDS = {
    "days_ahead": (N_("Days ahead members may book"), N_("0 to 60; 0 means today only.")),
    "opens_minute": (
        N_("Booking opens at"),
        N_("Time of day a new day opens for booking, e.g. 08:00."),
    ),
    "max_active": (N_("Active bookings per member"), N_("1 to 20, across all days.")),
    "max_minutes_per_day": (N_("Hours per member per day"), N_("0.5 to 24, in half hours.")),
    "cancel_cutoff_minutes": (
        N_("Cancellation cut-off (hours before the start)"),
        N_("0 to 72; cancelling later counts as a late cancellation."),
    ),
    "waitlist_auto_minutes": (
        N_("Waitlist auto-book cut-off (hours before the start)"),
        N_(
            "0 to 72; a freed place is booked for the first in line until then, "
            "and offered to them after it."
        ),
    ),
    "offer_minutes": (
        N_("Offer time (minutes)"),
        N_("5 to 240; how long a waitlist offer stays open, never past the start."),
    ),
    "checkin_before_minutes": (
        N_("Check-in opens (minutes before the start)"),
        N_("0 to 240; the front desk checks people in from then."),
    ),
    "checkin_after_minutes": (
        N_("Check-in closes (minutes after the start)"),
        N_("0 to 240; whoever is not checked in by then is a no-show and gets a strike."),
    ),
    "queue_seconds": (
        N_("Opening queue gathering time (seconds)"),
        N_(
            "0 to 300; from 10 minutes before a day opens until this long after, members "
            "join its opening queue and are served in a random order; 0: first-come."
        ),
    ),
}


@dataclass(frozen=True)
class FormField:
    """One typed rule on the form: its input's name, words and bounds."""

    name: str
    label: str  # message ids, translated where the page is rendered
    hint: str
    type: str
    attrs: str


def _attrs(rule: rule_schema.Rule) -> str:
    if rule.unit == "clock":
        return 'maxlength="5" placeholder="08:00"'
    if rule.unit == "hours":
        step = text.hours_text(rule.step) if rule.step > 1 else "any"
        low, high = text.hours_text(rule.low), text.hours_text(rule.high)
        return f'min="{low}" max="{high}" step="{step}" inputmode="decimal"'
    return f'min="{rule.low}" max="{rule.high}" inputmode="numeric"'


def form_rules() -> list[FormField]:
    """The typed rules in the schema's order, their inputs' bounds from their declaration."""
    return [
        FormField(
            form_name(name),
            *WORDS[name],
            "text" if rule.unit == "clock" else "number",
            _attrs(rule),
        )
        for name, rule in rule_schema.NUMBERS.items()
        if rule.unit != "choice"
    ]


def form_name(rule_name: str) -> str:
    """The form field that shows a rule (rule_schema names it where it differs)."""
    rule = rule_schema.RULES.get(rule_name)
    return (rule.form_name if rule else "") or rule_name


def values_of(facility_rules: BookingRules, hours: rules.Hours) -> dict[str, str]:
    """The form's fields as they show stored rules and opening hours."""
    values = {
        form_name(name): SHOW[rule.unit](getattr(facility_rules, name))
        for name, rule in rule_schema.RULES.items()
    }
    for day, periods in hours.items():
        values[f"open_{day}"] = clock.hhmm(periods[0][0]) if periods else ""
        values[f"close_{day}"] = clock.hhmm(periods[-1][1]) if periods else ""
        values[f"closed_{day}"] = "" if periods else "on"
    return values


def _read_rules(get: Mapping[str, str]) -> tuple[dict[str, int | None], dict[str, str]]:
    read = {
        name: READ[rule.unit](get[form_name(name)]) for name, rule in rule_schema.NUMBERS.items()
    }
    unread = {name: rule_schema.RULES[name].code for name, value in read.items() if value is None}
    return read, unread


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
    switches = {
        name: bool(get[form_name(name)])
        for name, rule in rule_schema.RULES.items()
        if rule.unit == "switch"
    }
    change = rules.RulesChange(**read_rules, **switches)  # type: ignore[arg-type]
    return change, hours


def form_fields(fields: Mapping[str, str]) -> dict[str, str]:
    """Problems named by rule, named by the form field that shows them."""
    return {form_name(name): code for name, code in fields.items()}


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
