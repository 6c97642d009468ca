"""Booking rules per facility: defaults from the brief, edited by staff, audited."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from palace import db
from palace.models import Booking, BookingRules, BookingStatus, Facility, FacilityKind, OpeningHours
from palace.models.bookings import SlotKind
from palace.services.core import after_commit, audit, clock
from palace.services.core.errors import ServiceError
from palace.services.facilities import facilities, rule_schema, setup_cache

# The rules' declaration (names, defaults, bounds, codes) lives in rule_schema; these
# names are read from here too.
SLOT_LENGTHS = rule_schema.SLOT_LENGTHS
MAX_PARTNERS = rule_schema.MAX_PARTNERS
MAX_DAYS_AHEAD = rule_schema.MAX_DAYS_AHEAD
MAX_CUTOFF_MINUTES = rule_schema.MAX_CUTOFF_MINUTES
CHECKIN_MAX_MINUTES = rule_schema.CHECKIN_MAX_MINUTES
RulesChange = rule_schema.RulesChange
rule_problems = rule_schema.rule_problems


def default_rules(facility: Facility) -> BookingRules:
    return BookingRules(facility=facility, **vars(rule_schema.defaults(facility.kind)))


async def rules_for(facility: Facility) -> BookingRules:
    """The hall's rules, from this process's cache: read them, never change them."""
    found = await setup_cache.stored_rules(facility.id)
    return found or default_rules(facility)


async def _rules_to_edit(facility: Facility) -> BookingRules:
    found = await BookingRules.get_or_none(facility_id=facility.id)
    return found or default_rules(facility)


def is_bookable(facility: Facility) -> bool:
    """Courts and capacity slots are booked here; classes come with class planning."""
    return facility.active and facility.kind != FacilityKind.CLASSROOM


# The quota, stated once. What counts: one person's (the member's, or one child's)
# confirmed bookings of one kind of place in one hall; guests a clerk booked are not the
# clerk's own. Those not over count against max_active, the minutes of those starting on
# the day against max_minutes_per_day. ``used_quota`` asks the ORM; the booking core asks
# ``quota_sql`` inside its one statement; tests/services/facilities/test_quota_rule.py
# runs both on the same bookings.


@dataclass(frozen=True)
class Quota:
    active: int
    max_active: int
    minutes_today: int
    max_minutes: int

    def plus(self, minutes: int) -> "Quota":
        """The quota with one more booking of ``minutes`` counted."""
        return Quota(self.active + 1, self.max_active, self.minutes_today + minutes,
                     self.max_minutes)  # fmt: skip

    def refusal(self, minutes: int) -> ServiceError | None:
        """Why one more booking of ``minutes`` breaks the quota, or None."""
        if self.active >= self.max_active:
            return ServiceError("over_quota_active", max=self.max_active)
        if self.minutes_today + minutes > self.max_minutes:
            return ServiceError("over_quota_hours", hours=f"{self.max_minutes / 60:g}")
        return None


def minutes_of(starts_at: datetime, ends_at: datetime) -> int:
    return int((ends_at - starts_at).total_seconds()) // 60


async def used_quota(
    *, member_id: int, child_id: int | None, facility_rules: BookingRules, kind: SlotKind,
    day_start: datetime,
) -> Quota:  # fmt: skip
    """The person's quota in the hall, the day being the one ``day_start`` falls on."""
    counted = Booking.filter(
        member_id=member_id, child_id=child_id, guest_name__isnull=True,
        facility_id=facility_rules.facility_id, slot__kind=kind, status=BookingStatus.CONFIRMED,
    )  # fmt: skip
    active = await counted.filter(ends_at__gt=clock.now()).count()
    day_from, day_to = clock.day_bounds(clock.local_day(day_start))
    that_day = await counted.filter(starts_at__gte=day_from, starts_at__lt=day_to)
    minutes = sum(minutes_of(b.starts_at, b.ends_at) for b in that_day)
    return Quota(active, facility_rules.max_active, minutes, facility_rules.max_minutes_per_day)


_COUNTED = """bookings b JOIN slots s ON s.id = b.slot_id
  WHERE b.member_id = :member AND {child} AND b.guest_name IS NULL
  AND b.facility_id = :facility AND s.kind = :kind AND b.status = 'confirmed'"""
_MINUTES = {
    "sqlite": "CAST(ROUND((julianday(b.ends_at) - julianday(b.starts_at)) * 1440) AS INTEGER)",
    "postgres": "CAST(EXTRACT(EPOCH FROM b.ends_at - b.starts_at) / 60 AS INTEGER)",
}
_QUOTA_SQL = """(SELECT COUNT(*) FROM {counted} AND b.ends_at > :now) AS active,
  (SELECT COALESCE(SUM({minutes}), 0) FROM {counted}
    AND b.starts_at >= :day_from AND b.starts_at < :day_to) AS minutes"""


def quota_sql(*, child: bool) -> str:
    """``used_quota`` as two SQL columns, ``active`` and ``minutes``, with :member,
    :child when ``child``, :facility, :kind, :now, :day_from and :day_to."""
    person = "b.child_id = :child" if child else "b.child_id IS NULL"
    counted = _COUNTED.format(child=person)
    return _QUOTA_SQL.format(counted=counted, minutes=_MINUTES[db.dialect()])


def booking_opens_at(rules: BookingRules, day: date) -> datetime:
    opens_at = clock.at(day - timedelta(days=rules.days_ahead), rules.opens_minute)
    if rules.open_through is not None and day <= rules.open_through:
        # Open before staff last changed the rules: it stays open. Any instant before
        # the furthest a day can open ahead is one it had opened by.
        return min(opens_at, clock.at(day - timedelta(days=MAX_DAYS_AHEAD + 1), 0))
    return opens_at


def window(rules: BookingRules, today: date) -> tuple[date, date]:
    """The days a member may look at: today to the last day that opens in the window,
    or further, while days opened under earlier rules are still ahead."""
    last = today + timedelta(days=rules.days_ahead)
    return today, max(last, rules.open_through or last)


def last_open_day(rules: BookingRules, now: datetime) -> date:
    """The furthest day whose booking has opened by ``now``."""
    local = now.astimezone(clock.zone())
    opened_today = local.hour * 60 + local.minute >= rules.opens_minute
    latest_opening = local.date() if opened_today else local.date() - timedelta(days=1)
    return latest_opening + timedelta(days=rules.days_ahead)


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


@dataclass(frozen=True)
class Period:
    """Bookable time on one weekday: from the first slot's start to the last slot's end."""

    weekday: int
    opens_minute: int
    closes_minute: int

    @property
    def opens_at(self) -> str:
        return clock.hhmm(self.opens_minute)

    @property
    def closes_at(self) -> str:
        return clock.hhmm(self.closes_minute)


def slot_periods(rules: BookingRules, hours: list[OpeningHours]) -> list[Period]:
    """Where the slots of each opening period begin and end. Slots sit on a grid from
    midnight, so a hall opening at 06:30 with hour slots has its first slot at 07:00."""
    step = rules.slot_minutes
    periods = []
    for row in sorted(hours, key=lambda h: (h.weekday, h.opens_minute)):
        first = -(-row.opens_minute // step) * step
        count = (row.closes_minute - first) // step
        if count > 0:
            periods.append(Period(row.weekday, first, first + count * step))
    return periods


def slot_times(
    rules: BookingRules, hours: list[OpeningHours], day: date
) -> list[tuple[datetime, datetime]]:
    length = rules.slot_minutes
    return [(clock.at(day, m), clock.at(day, m + length)) for m in slot_starts(rules, hours, day)]


# Editing the rules. palace/web reads the form (hours, HH:MM) into these typed values;
# here they are checked against what the palace allows and saved.
WEEKDAYS = range(7)
Hours = dict[int, list[tuple[int, int]]]  # weekday -> (opens, closes) periods
DAY_MINUTES = rule_schema.DAY_MINUTES


@dataclass(frozen=True)
class RulesForm:
    facility: Facility
    rules: BookingRules
    hours: Hours
    split_days: list[int]  # days with several periods, which one form row merges
    upcoming_bookings: int


async def upcoming_bookings(facility_id: int) -> int:
    return await Booking.filter(
        facility_id=facility_id, status=BookingStatus.CONFIRMED, ends_at__gt=clock.now()
    ).count()


def _stored_hours(rows: list[OpeningHours]) -> Hours:
    hours: Hours = {day: [] for day in WEEKDAYS}
    for row in sorted(rows, key=lambda r: (r.weekday, r.opens_minute)):
        hours[row.weekday].append((row.opens_minute, row.closes_minute))
    return hours


async def rules_form(*, facility_id: int) -> RulesForm:
    facility = await facilities.get_facility(facility_id=facility_id)
    hours = _stored_hours(await OpeningHours.filter(facility_id=facility_id))
    return RulesForm(
        facility=facility,
        rules=await rules_for(facility),
        hours=hours,
        split_days=[day for day, periods in hours.items() if len(periods) > 1],
        upcoming_bookings=await upcoming_bookings(facility_id),
    )


def hour_problems(hours: Hours) -> dict[str, str]:
    problems = {}
    for day, periods in hours.items():
        for opens, closes in periods:
            if not (0 <= opens < DAY_MINUTES and 0 < closes <= DAY_MINUTES):
                problems[f"hours_{day}"] = "opening_time_invalid"
            elif closes <= opens:
                problems[f"hours_{day}"] = "closes_before_opens"
    return problems


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
    *, actor_id: int, facility_id: int, change: RulesChange, hours: Hours
) -> BookingRules:
    """Check every rule, then save rules and opening hours together; audited.

    ServiceError("rules_invalid", fields=…) names every bad rule (by RulesChange's field
    names, and hours_<weekday>) and saves nothing.
    """
    facility = await facilities.get_facility(facility_id=facility_id)
    new_hours = {day: sorted(hours.get(day, [])) for day in WEEKDAYS}
    if problems := rule_schema.problems_of(change) | hour_problems(new_hours):
        raise ServiceError("rules_invalid", fields=problems)
    parsed = vars(change) | {
        # Partners are named on court bookings only; elsewhere the switch stays off.
        "partners_allowed": change.partners_allowed and facility.kind == FacilityKind.COURT
    }
    async with after_commit.transaction():
        # One editor at a time per hall (the rules row may not exist yet to lock).
        await Facility.filter(id=facility_id).select_for_update().get()
        current = await _rules_to_edit(facility)
        old_hours = _stored_hours(await OpeningHours.filter(facility_id=facility_id))
        changes = _changes(current, parsed, old_hours, new_hours)
        if not changes:
            return current
        await _check_slot_length(facility_id, changes)
        opened = last_open_day(current, clock.now())
        for name, value in parsed.items():
            setattr(current, name, value)
        current.open_through = max(opened, current.open_through or opened)
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
