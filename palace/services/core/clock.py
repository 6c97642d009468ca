"""The current instant and the palace's calendar. One place, so tests can move time."""

import re
import unicodedata
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from palace.settings import get_settings


def now() -> datetime:
    return datetime.now(UTC)


def zone() -> ZoneInfo:
    return get_settings().zone


def today() -> date:
    return now().astimezone(zone()).date()


def local_day(instant: datetime) -> date:
    return instant.astimezone(zone()).date()


def at(day: date, minute: int) -> datetime:
    """The UTC instant of a local time of day (minutes after midnight) on a local date."""
    local = datetime.combine(day, time(), tzinfo=zone()) + timedelta(minutes=minute)
    return local.astimezone(UTC)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    return at(day, 0), at(day + timedelta(days=1), 0)


def utc(value: datetime) -> datetime:
    """Datetimes read back from SQLite or PostgreSQL, as comparable UTC instants."""
    return value.astimezone(UTC)


_TIME_OF_DAY = re.compile(r"(\d{1,2}):(\d{2})(?::00)?")


def parse_minute(text: str, *, end_of_day: bool = False) -> int | None:
    """Minutes after midnight of a typed "HH:MM" (full-width digits too); None if not a time.

    ``end_of_day`` also accepts "24:00", the close of a hall open until midnight.
    """
    found = _TIME_OF_DAY.fullmatch(unicodedata.normalize("NFKC", text).strip())
    if not found:
        return None
    hours, minutes = int(found.group(1)), int(found.group(2))
    if minutes > 59 or hours > 24 or (hours == 24 and (minutes or not end_of_day)):
        return None
    return hours * 60 + minutes


def hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def parse_day(text: str) -> date | None:
    """A typed "YYYY-MM-DD", within years the calendar arithmetic can handle; else None."""
    try:
        day = date.fromisoformat(unicodedata.normalize("NFKC", text).strip())
    except ValueError:
        return None
    return day if 1900 <= day.year <= 2200 else None
