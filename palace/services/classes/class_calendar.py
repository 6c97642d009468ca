"""Which days a weekly class meets: dateutil's rrule, public holidays, the palace's own days.

A weekly pattern meets on its weekdays (an rrule), except on public holidays and the
palace's no-class days (exdates); an official make-up working day runs the classes of
the weekday it pays for (an rdate when that weekday is in the pattern, an exdate when
its own weekday is and the weekday it runs as is not). In a year the holiday package
does not know yet nothing is guessed: no class meets until staff confirm the year
(having entered its holidays as no-class days), and the planning page says so; in a
confirmed year the weekly pattern holds, less the palace's no-class days.
"""

from dataclasses import dataclass
from datetime import date, datetime, time

from dateutil.rrule import WEEKLY, rrule, rruleset

from palace.models import NoClassDay
from palace.services.classes import holidays


@dataclass(frozen=True)
class Skipped:
    """A day the pattern would meet on but does not, and why."""

    day: date
    holiday: str | None = None  # a public holiday's name (message id)
    no_class: str | None = None  # the palace's own reason
    unknown_year: bool = False  # its year's holidays are not known, nor confirmed by staff


@dataclass(frozen=True)
class PalaceDays:
    """What the palace itself says about days: its no-class days and confirmed years."""

    no_class: dict[date, str]
    confirmed_years: frozenset[int]


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time())


def _weekly(weekdays: list[int], first: date, last: date) -> rrule:
    return rrule(WEEKLY, byweekday=weekdays, dtstart=_midnight(first), until=_midnight(last))


def _every_day(first: date, last: date) -> list[date]:
    days = rrule(WEEKLY, byweekday=range(7), dtstart=_midnight(first), until=_midnight(last))
    return [moment.date() for moment in days]


async def palace_days(first: date, last: date) -> PalaceDays:
    found = await NoClassDay.filter(day__gte=first, day__lte=last)
    confirmed = await holidays.confirmed_years()
    return PalaceDays({row.day: row.reason for row in found}, confirmed)


def plan(
    weekdays: list[int], first: date, last: date, palace: PalaceDays
) -> tuple[list[date], list[Skipped]]:
    """The days a pattern meets from ``first`` to ``last``, and the days it skips."""
    meets = rruleset()
    meets.rrule(_weekly(weekdays, first, last))
    skipped: list[Skipped] = []
    no_class = palace.no_class
    for day in _every_day(first, last):
        kind = holidays.day_kind(day)
        runs = kind.runs_as in weekdays
        if not kind.known and day.year not in palace.confirmed_years:
            if day.weekday() in weekdays:
                skipped.append(Skipped(day, unknown_year=True))
            meets.exdate(_midnight(day))
        elif kind.holiday is not None:
            if day.weekday() in weekdays:
                skipped.append(Skipped(day, holiday=kind.holiday))
            meets.exdate(_midnight(day))
        elif day in no_class and (runs or day.weekday() in weekdays):
            skipped.append(Skipped(day, no_class=no_class[day]))
            meets.exdate(_midnight(day))
        elif runs and day.weekday() not in weekdays:
            meets.rdate(_midnight(day))  # a make-up working day standing in for our weekday
        elif not runs:
            meets.exdate(_midnight(day))  # a make-up working day standing in for another
    return [moment.date() for moment in meets], skipped
