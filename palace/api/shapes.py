"""Shapes every API module shares: names in both languages, errors, a page of results."""

from datetime import UTC, date, datetime
from typing import Annotated, Protocol

import msgspec

from palace.models import ClassType, Facility, Resource
from palace.services.core import clock

Id = Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)]
# A moment, always with its offset (UTC from us); one without is refused, never guessed.
Instant = Annotated[datetime, msgspec.Meta(tz=True)]


# What a timetable can name: anything outside is refused at the edge, before a service
# does arithmetic on it (year 1 minus a day is an OverflowError, not a refusal).
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


def reachable(moment: datetime | date | None) -> bool:
    if moment is None:
        return True
    if not isinstance(moment, datetime):
        return EARLIEST.date() <= moment < LATEST.date()
    return EARLIEST <= moment < LATEST


class Name(msgspec.Struct, frozen=True):
    """A name in Chinese and in English; the app picks one."""

    zh: str
    en: str


def name_of(thing: Facility | Resource | ClassType) -> Name:
    return Name(zh=thing.name_zh, en=thing.name_en)


class Option(msgspec.Struct, frozen=True):
    """A choice an entry may name: a court at a time, or any court then (``court`` None)."""

    key: str
    starts_at: Instant
    court_id: int | None
    court: Name | None


class Choice(Protocol):
    """A ballot's or an opening queue's option as its service gives it."""

    @property
    def key(self) -> str: ...
    @property
    def starts_at(self) -> datetime: ...
    @property
    def resource(self) -> Resource | None: ...


def option_of(choice: Choice) -> Option:
    court = choice.resource
    return Option(choice.key, clock.utc(choice.starts_at), court.id if court else None,
                  name_of(court) if court else None)  # fmt: skip


class Error(msgspec.Struct, frozen=True, omit_defaults=True):
    """A refusal: ``code`` is stable, ``detail`` is for people (Accept-Language);
    ``fields`` names each bad field of the request with its own message."""

    code: str
    detail: str
    fields: dict[str, str] = {}


class Done(msgspec.Struct, frozen=True):
    """A command that returns nothing else: what was done, said once."""

    done: bool = True
