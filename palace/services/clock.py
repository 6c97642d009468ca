"""The current instant and the palace's calendar. One place, so tests can move time."""

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
