"""Mainland China's public holidays and official make-up working days (调休).

The dates come from the ``chinesecalendar`` package, which is updated each year once
the State Council publishes the next year's arrangement. For a year it has no data
for it raises NotImplementedError: we never guess a year's holidays, we say it is
unknown; no class meets in it until staff confirm the year (class_setup) after
entering its holidays as no-class days, and the planning page says so.

A public holiday (including the weekdays given off in lieu) holds no class. An
official make-up working day (a Saturday or Sunday worked to pay for a weekday off)
runs the classes of the weekday it pays for, the way schools follow "the timetable of
Friday" on such a day: the package lists, per holiday, the make-up days and the days
off in lieu, and we pair them in date order. A make-up day with no pair keeps its own
weekday.
"""

from dataclasses import dataclass
from datetime import date
from functools import cache

import chinese_calendar
from chinese_calendar.constants import holidays as HOLIDAYS
from chinese_calendar.constants import in_lieu_days as IN_LIEU
from chinese_calendar.constants import workdays as MAKE_UP

from palace.i18n import N_
from palace.models import HolidayYear

# The package's English holiday names, as message ids for our catalogs.
NAMES = {
    "New Year's Day": N_("New Year's Day"),
    "Spring Festival": N_("Spring Festival"),
    "Tomb-sweeping Day": N_("Tomb-sweeping Day"),
    "Labour Day": N_("Labour Day"),
    "Dragon Boat Festival": N_("Dragon Boat Festival"),
    "National Day": N_("National Day"),
    "Mid-autumn Festival": N_("Mid-autumn Festival"),
    "Anti-Fascist 70th Day": N_("Anti-Fascist 70th Day"),
}


PAIR_DAYS = 40


@dataclass(frozen=True)
class DayKind:
    """What the official calendar says about one day."""

    known: bool  # the package has data for the day's year
    holiday: str | None = None  # the holiday's name (a message id) if it is a day off
    runs_as: int | None = None  # the weekday whose classes run on it (0 = Monday)


def _name(raw: str) -> str:
    return NAMES.get(raw, raw)


@cache
def _make_up_weekdays() -> dict[date, int]:
    """Each make-up working day and the weekday of the day off in lieu it pays for.

    Paired in date order within one holiday (same name, within a few weeks).
    """
    unused = sorted(IN_LIEU)
    paired: dict[date, int] = {}
    for work_day in sorted(MAKE_UP):
        for off in unused:
            if IN_LIEU[off] == MAKE_UP[work_day] and abs((off - work_day).days) <= PAIR_DAYS:
                paired[work_day] = off.weekday()
                unused.remove(off)
                break
    return paired


def day_kind(day: date) -> DayKind:
    try:
        chinese_calendar.is_workday(day)
    except NotImplementedError:
        return DayKind(known=False, runs_as=day.weekday())
    if day in HOLIDAYS:
        return DayKind(known=True, holiday=_name(str(HOLIDAYS[day])))
    if day in MAKE_UP:
        return DayKind(known=True, runs_as=_make_up_weekdays().get(day, day.weekday()))
    return DayKind(known=True, runs_as=day.weekday())


def last_known_year() -> int:
    last: date = max(HOLIDAYS)
    return last.year


def unknown_years(first: date, last: date) -> list[int]:
    """Years from ``first`` to ``last`` the package has no data for yet."""
    return [year for year in range(first.year, last.year + 1) if year > last_known_year()]


async def confirmed_years() -> frozenset[int]:
    """Years without holiday data that staff have confirmed classes may run in."""
    return frozenset(row.year for row in await HolidayYear.all().only("year"))


async def unconfirmed_years(first: date, last: date) -> list[int]:
    """Years from ``first`` to ``last`` with no holiday data and no staff confirmation."""
    confirmed = await confirmed_years()
    return [year for year in unknown_years(first, last) if year not in confirmed]
