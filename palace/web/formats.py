"""Dates and times as the member reads them, in the palace's zone and their language."""

from datetime import date, datetime, time
from functools import lru_cache

from babel.dates import format_skeleton

from palace.i18n import BABEL_LOCALES
from palace.services.core import clock

# A page names the same few days and times of day many times over, and Babel works out
# each from its pattern again; the answers are kept (a year of days, every minute).


@lru_cache(maxsize=4096)
def day(value: date, lang: str) -> str:
    return format_skeleton("MMMEd", value, locale=BABEL_LOCALES[lang])


def hm(value: datetime, lang: str) -> str:
    local = value.astimezone(clock.zone())
    return _hm(time(local.hour, local.minute), lang)


@lru_cache(maxsize=4096)
def _hm(value: time, lang: str) -> str:
    return format_skeleton("Hm", value, locale=BABEL_LOCALES[lang])


def hms(value: datetime, lang: str) -> str:
    """A time to the second (when an opening queue's order is drawn)."""
    local = value.astimezone(clock.zone())
    return format_skeleton("Hms", local.replace(tzinfo=None), locale=BABEL_LOCALES[lang])


def moment(value: datetime, lang: str) -> str:
    local = value.astimezone(clock.zone())
    return f"{day(local.date(), lang)} {hm(value, lang)}"


def param(value: object, lang: str) -> object:
    """A message parameter made readable: instants and days in the member's language."""
    if isinstance(value, datetime):
        return moment(value, lang)
    if isinstance(value, date):
        return day(value, lang)
    return value
