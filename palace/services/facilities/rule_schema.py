"""Every booking rule of a hall, declared once: its type, its default per kind of hall,
what it may be and the error code that says it is not, and how the staff form reads
and shows it. The defaults, the change staff make, its checks and the form are all
derived from ``RuleValues``; ``BookingRules`` stores the same fields (a test holds them
together)."""

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import Literal, TypeVar

from palace.models import FacilityKind

# Slot starts are multiples of the slot length from local midnight, so changing
# the opening hours never shifts the grid under bookings already made.
SLOT_LENGTHS = (30, 60, 90, 120)
MAX_PARTNERS = 3
MAX_DAYS_AHEAD = 60
DAY_MINUTES = 24 * 60
MAX_ACTIVE = 20
MAX_CUTOFF_MINUTES = 72 * 60
QUOTA_STEP = 30  # hours per day are set in half hours
# The check-in window (by default 30 minutes before to 15 after the start) reaches at
# most this far either side of the start.
CHECKIN_MAX_MINUTES = 240
# An offer shorter than this could run out before the member has read it.
MIN_OFFER_MINUTES = 5
MAX_OFFER_MINUTES = 240
MAX_QUEUE_SECONDS = 300

# How the form shows a rule: a whole number, a choice from a list, hours (2 or 1.5)
# kept as minutes, a time of day (HH:MM) kept as minutes after midnight, or a switch.
Unit = Literal["whole", "choice", "hours", "clock", "switch"]
V = TypeVar("V", int, bool)


@dataclass(frozen=True)
class Rule:
    """One rule's declaration, kept as its field's metadata."""

    default: int | bool
    by_kind: Mapping[FacilityKind, int | bool]  # defaults that differ per kind of hall
    code: str  # the error code when a value is out of bounds ("" for switches)
    low: int
    high: int
    step: int
    choices: tuple[int, ...]
    unit: Unit
    form_name: str  # the form field that shows it

    def allows(self, value: int) -> bool:
        if self.choices:
            return value in self.choices
        return self.low <= value <= self.high and value % self.step == 0

    def default_for(self, kind: FacilityKind) -> int | bool:
        return self.by_kind.get(kind, self.default)


def _rule(
    default: V,
    *,
    code: str = "",
    low: int = 0,
    high: int = 0,
    step: int = 1,
    choices: tuple[int, ...] = (),
    unit: Unit = "whole",
    form_name: str = "",
    by_kind: Mapping[FacilityKind, V] | None = None,
) -> V:
    kinds = MappingProxyType(dict(by_kind or {}))
    declared = Rule(default, kinds, code, low, high, step, choices, unit, form_name)
    return field(default=default, metadata={"rule": declared})


_CAPACITY = FacilityKind.CAPACITY


@dataclass(frozen=True)
class RuleValues:
    """Every rule of a hall, in BookingRules' fields and units: a kind of hall's
    defaults (``defaults``), or the rules as staff want them (``RulesChange``).

    A field's own default is the one most halls have; ``by_kind`` says where a kind
    differs (courts: 7 days ahead at 08:00, 2 active bookings, 2 hours a day, the LCSD
    peak rule; gym hours: 3 days ahead at 07:00)."""

    slot_minutes: int = _rule(60, choices=SLOT_LENGTHS, code="slot_length_invalid", unit="choice")
    days_ahead: int = _rule(
        7, by_kind={_CAPACITY: 3}, high=MAX_DAYS_AHEAD, code="days_ahead_invalid"
    )
    opens_minute: int = _rule(
        8 * 60,
        by_kind={_CAPACITY: 7 * 60},
        high=DAY_MINUTES - 1,
        code="time_invalid",
        unit="clock",
        form_name="opens_at",
    )
    max_active: int = _rule(
        2, by_kind={_CAPACITY: 3}, low=1, high=MAX_ACTIVE, code="max_active_invalid"
    )
    max_minutes_per_day: int = _rule(
        120,
        low=QUOTA_STEP,
        high=DAY_MINUTES,
        step=QUOTA_STEP,
        code="max_hours_invalid",
        unit="hours",
        form_name="max_hours",
    )
    cancel_cutoff_minutes: int = _rule(
        120,
        by_kind={_CAPACITY: 60},
        high=MAX_CUTOFF_MINUTES,
        code="cutoff_invalid",
        unit="hours",
        form_name="cancel_cutoff_hours",
    )
    # Partners are named on court bookings only.
    partners_allowed: bool = _rule(False, by_kind={FacilityKind.COURT: True}, unit="switch")
    # Waitlists: a freed place is booked for the first in line while the start is more
    # than this far away; closer than that it is offered for offer_minutes.
    waitlist_auto_minutes: int = _rule(
        120,
        high=MAX_CUTOFF_MINUTES,
        code="auto_cutoff_invalid",
        unit="hours",
        form_name="waitlist_auto_hours",
    )
    offer_minutes: int = _rule(
        20, low=MIN_OFFER_MINUTES, high=MAX_OFFER_MINUTES, code="offer_minutes_invalid"
    )
    checkin_before_minutes: int = _rule(
        30, high=CHECKIN_MAX_MINUTES, code="checkin_minutes_invalid", form_name="checkin_before"
    )
    checkin_after_minutes: int = _rule(
        15, high=CHECKIN_MAX_MINUTES, code="checkin_minutes_invalid", form_name="checkin_after"
    )
    guests_allowed: bool = _rule(False, unit="switch")
    # The opening queue's gathering time after the opening instant; 0: no queue.
    queue_seconds: int = _rule(30, high=MAX_QUEUE_SECONDS, code="queue_seconds_invalid")


# The rules as staff want them: every rule, checked by ``rule_problems``.
RulesChange = RuleValues


def declared(name: str) -> Rule:
    rule: Rule = RuleValues.__dataclass_fields__[name].metadata["rule"]
    return rule


# Every rule's declaration, by name, in the order the form shows them.
RULES: Mapping[str, Rule] = MappingProxyType({f.name: declared(f.name) for f in fields(RuleValues)})
# The rules that are numbers (switches are on or off and need no bounds).
NUMBERS: Mapping[str, Rule] = MappingProxyType(
    {name: rule for name, rule in RULES.items() if rule.unit != "switch"}
)


def defaults(kind: FacilityKind) -> RuleValues:
    return RuleValues(**{name: rule.default_for(kind) for name, rule in RULES.items()})  # type: ignore[arg-type]


def rule_problems(values: Mapping[str, int | None]) -> dict[str, str]:
    """Every rule whose value is out of bounds (by rule name); values that could not be
    read (None) are left to whoever read them, so all problems are found at once."""
    problems = {}
    for name, rule in NUMBERS.items():
        value = values.get(name)
        if value is not None and not rule.allows(value):
            problems[name] = rule.code
    return problems


def problems_of(change: RuleValues) -> dict[str, str]:
    return rule_problems({name: getattr(change, name) for name in NUMBERS})
