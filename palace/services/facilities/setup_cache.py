"""Halls, courts, booking rules and opening hours, cached in each process.

They change when staff edit them, a few times a month; every booking and timetable
reads them. Each process keeps what it has read and drops all of it when the
``setup_version`` counter has moved: triggers on the four tables move it in the
same transaction as any change (migration 0011), so a change made by any process,
or by hand in SQL, reaches every process at its next request.

The counter is read once per use, or once per web request inside ``request_scope``
(the web layer opens one around each request; the log-in lookup, accounts/logins,
brings it along: ``note_version``). The objects handed out are shared: callers read
them and never change or save them (``rules.update_rules`` edits the uncached row,
read by ``rules._rules_to_edit``).
"""

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from tortoise import connections
from tortoise.backends.base.client import TransactionalDBClient

from palace.models import BookingRules, Facility, OpeningHours, Resource

VERSION_QUERY = "SELECT version FROM setup_version WHERE id = 1"


@dataclass
class _Cache:
    version: int | None = None
    facilities: dict[int, Facility] = field(default_factory=dict)
    codes: dict[str, Facility | None] = field(default_factory=dict)
    resources: dict[int, Resource | None] = field(default_factory=dict)
    hall_resources: dict[int, list[Resource]] = field(default_factory=dict)
    rules: dict[int, BookingRules | None] = field(default_factory=dict)
    hours: dict[int, list[OpeningHours]] = field(default_factory=dict)
    loading: dict[Hashable, asyncio.Event] = field(default_factory=dict)


_cache = _Cache()
# Inside a web request: the counter as read at the request's first use.
_request_version: ContextVar[list[int] | None] = ContextVar("setup_version", default=None)


@contextmanager
def request_scope() -> Iterator[None]:
    """Read the counter at most once until the block ends (one web request)."""
    token = _request_version.set([])
    try:
        yield
    finally:
        _request_version.reset(token)


def note_version(version: int | None) -> None:
    """The counter as another statement of this request read it (the log-in lookup):
    the request's first use then needs no read of its own."""
    memo = _request_version.get()
    if memo is not None and not memo and version is not None:
        memo.append(int(version))


async def _read_version() -> int | None:
    rows = await connections.get("default").execute_query_dict(VERSION_QUERY)
    return int(rows[0]["version"]) if rows else None


async def _current() -> _Cache:
    """The cache, emptied first if the counter moved since it was filled."""
    global _cache
    memo = _request_version.get()
    if memo:
        version: int | None = memo[0]
    else:
        version = await _read_version()
        if memo is not None and version is not None:
            memo.append(version)
    if version is None or version != _cache.version:
        # No counter (a database not yet migrated): nothing is kept.
        _cache = _Cache(version=version)
    return _cache


async def _load_once(cache: _Cache, what: Hashable, load: Callable[[], Awaitable[None]]) -> None:
    """Run ``load`` to fill the cache, unless another request of this process is running
    the same load: then wait for that one. At opening time every request arrives at once
    with nothing cached yet; without this each ran every load itself. Callers check again
    afterwards (a failed load fills nothing: the next one to look loads it).

    Only a request outside any transaction waits: one inside holds a connection (on
    SQLite the only one), which the load it would wait for may need."""
    running = cache.loading.get(what)
    if running is not None:
        if isinstance(connections.get("default"), TransactionalDBClient):
            await load()
        else:
            await running.wait()
        return
    done = cache.loading[what] = asyncio.Event()
    try:
        await load()
    finally:
        del cache.loading[what]
        done.set()


async def facility_by_code(code: str) -> Facility | None:
    cache = await _current()

    async def load() -> None:
        found = await Facility.get_or_none(code=code)
        cache.codes[code] = found
        if found is not None:
            cache.facilities[found.id] = found

    while code not in cache.codes:
        await _load_once(cache, ("code", code), load)
    return cache.codes[code]


async def resource(resource_id: int) -> Resource | None:
    """The resource with its ``facility`` loaded, active or not."""
    cache = await _current()

    async def load() -> None:
        # All of them at once (a palace has tens): the next court booked is known too.
        for found in await Resource.all().select_related("facility"):
            found.facility = cache.facilities.setdefault(found.facility_id, found.facility)
            cache.resources.setdefault(found.id, found)
        cache.resources.setdefault(resource_id, None)

    while resource_id not in cache.resources:
        await _load_once(cache, "resources", load)
    return cache.resources[resource_id]


async def active_resources(facility: Facility) -> list[Resource]:
    """A hall's active resources in display order."""
    cache = await _current()

    async def load() -> None:
        found = await Resource.filter(facility_id=facility.id, active=True)
        cache.hall_resources[facility.id] = found

    while facility.id not in cache.hall_resources:
        await _load_once(cache, ("hall_resources", facility.id), load)
    return cache.hall_resources[facility.id]


async def stored_rules(facility_id: int) -> BookingRules | None:
    """The hall's rules row, or None where staff never saved any."""
    cache = await _current()

    async def load() -> None:
        cache.rules[facility_id] = await BookingRules.get_or_none(facility_id=facility_id)

    while facility_id not in cache.rules:
        await _load_once(cache, ("rules", facility_id), load)
    return cache.rules[facility_id]


async def opening_hours(facility_id: int) -> list[OpeningHours]:
    cache = await _current()

    async def load() -> None:
        cache.hours[facility_id] = await OpeningHours.filter(facility_id=facility_id)

    while facility_id not in cache.hours:
        await _load_once(cache, ("hours", facility_id), load)
    return cache.hours[facility_id]
