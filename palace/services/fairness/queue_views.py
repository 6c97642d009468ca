"""What the opening-queue pages show: a member's queue page (joining, in the queue, the
outcome), the published file of a queue, and the public fairness figures. Decided here;
templates and the API only render."""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from palace.models import (
    BookingRules,
    Facility,
    OpeningQueue,
    QueueEntry,
    QueueOutcome,
    QueueState,
    Resource,
)
from palace.services.core import clock
from palace.services.core.errors import NotFound
from palace.services.facilities import lookup, rules, setup_cache
from palace.services.fairness import opening_queue
from palace.services.fairness.ballot_verify import FORMAT
from palace.services.fairness.ballot_views import Winner
from palace.services.fairness.opening_queue import QueueNotFound
from palace.services.fairness.queue_gate import Times, gate, next_day, times

RECENT_QUEUES = 8


@dataclass(frozen=True)
class Option:
    """A choice on the queue form: a court at a time, or any court (``resource`` None)."""

    key: str
    starts_at: datetime
    resource: Resource | None


@dataclass(frozen=True)
class QueuePage:
    """One hall's day as its queue page shows it to a member."""

    facility: Facility
    times: Times
    queue: OpeningQueue | None  # made by the first join (or the worker's sweep)
    entry: QueueEntry | None  # the member's, standing (or decided once served)
    options: list[Option]
    joined: int  # members in the queue so far
    choices: list[str] = field(default_factory=list)  # the entry's, padded to three

    @property
    def state(self) -> str:
        """not_yet, gathering, serving or done: what the page says and offers."""
        if self.queue is not None and self.queue.state != QueueState.GATHERING:
            return self.queue.state.value
        now = clock.now()
        if now < self.times.joins_from:
            return "not_yet"
        if now < self.times.gathers_until:
            return "gathering"
        # Nobody joined (the first join makes the queue): nothing to serve.
        return "serving" if self.queue is not None else "done"

    @property
    def can_join(self) -> bool:
        return self.state == "gathering"

    @property
    def live(self) -> bool:
        """Whether the member's status may still change by itself (the page asks again)."""
        return self.entry is not None and self.state in ("gathering", "serving")

    def option(self, key: str | None) -> Option | None:
        return next((o for o in self.options if o.key == key), None)

    @property
    def chosen(self) -> list[Option]:
        """The member's choices as the form names them, first choice first."""
        found = (self.option(key) for key in self.choices if key)
        return [o for o in found if o is not None]

    @property
    def won(self) -> Option | None:
        """The place the queue gave the member."""
        entry = self.entry
        return self.option(entry.won_key) if entry and entry.outcome == QueueOutcome.WON else None


def _options(places: list[dict[str, object]], courts: dict[int, Resource]) -> list[Option]:
    found: list[Option] = []
    for place in places:
        starts_at = datetime.fromisoformat(str(place["starts_at"]))
        key = str(place["key"])
        if not found or found[-1].starts_at != starts_at:
            found.append(Option(key.rsplit("/", 1)[0] + "/*", starts_at, None))
        found.append(Option(key, starts_at, courts.get(int(str(place["resource_id"])))))
    return found


async def queue_page(*, facility_id: int, day: date | None, member_id: int) -> QueuePage:
    """The hall's queue for ``day`` (None: the next day to open)."""
    facility = await lookup.get_facility(facility_id=facility_id)
    if not rules.is_bookable(facility):
        raise QueueNotFound("queue_off")
    facility_rules = await rules.rules_for(facility)
    found = times(facility_rules, day) if day else next_day(facility_rules, clock.now())
    if found is None:
        raise QueueNotFound("queue_off")
    queue = await OpeningQueue.get_or_none(facility_id=facility.id, day=found.day)
    entry = None
    joined = 0
    if queue is not None:
        entry = await QueueEntry.get_or_none(
            queue_id=queue.id, member_id=member_id, live_member__isnull=False
        )
        joined = await QueueEntry.filter(queue_id=queue.id, live_member__isnull=False).count()
    courts = {r.id: r for r in await Resource.filter(facility_id=facility.id)}
    places = await opening_queue.day_places(facility, found.day)
    chosen = list(entry.choices) if entry else []
    padded = chosen + [""] * (opening_queue.MAX_CHOICES - len(chosen))
    return QueuePage(facility, found, queue, entry, _options(places, courts), joined, padded)


async def hall_page(*, code: str, day: date | None, member_id: int) -> QueuePage:
    """``queue_page`` of the hall with this code (its address names it so)."""
    facility = await setup_cache.facility_by_code(code)
    if facility is None or not facility.active:
        raise NotFound("unknown_facility")
    return await queue_page(facility_id=facility.id, day=day, member_id=member_id)


@dataclass(frozen=True)
class QueueNote:
    """What a hall's timetable says about a day's opening queue: ``ahead`` (the day opens
    later, with a queue), ``joining`` (join it now) or ``serving`` (first-come waits a
    few seconds more)."""

    times: Times
    state: str


async def note(*, facility_id: int, facility_rules: BookingRules, day: date) -> QueueNote | None:
    """The shown day's queue while it is still to come, else the next day's to open."""
    now = clock.now()
    shown = times(facility_rules, day)
    if shown is not None:
        if now < shown.gathers_until:
            return QueueNote(shown, "ahead" if now < shown.joins_from else "joining")
        if await gate(facility_id=facility_id, facility_rules=facility_rules, day=day):
            return QueueNote(shown, "serving")
    coming = next_day(facility_rules, now)
    if coming is None:
        return None
    return QueueNote(coming, "ahead" if now < coming.joins_from else "joining")


async def published(*, queue_id: int) -> dict[str, Any]:
    queue = await OpeningQueue.get_or_none(id=queue_id).select_related("facility")
    if queue is None:
        raise QueueNotFound("queue_not_found")
    return document(queue)


def document(queue: OpeningQueue) -> dict[str, Any]:
    """The queue as published now, in the ballot file's format (``palace verify-draw``
    checks either): never the secret before it is served."""
    doc: dict[str, Any] = {
        "format": FORMAT,
        "queue": {
            "id": queue.id,
            "hall": queue.facility.code,
            "day": queue.day.isoformat(),
            "state": queue.state.value,
        },
        "algorithm": queue.algorithm,
        "commitment": queue.commitment,
        "timeline": {
            name: getattr(queue, name).isoformat()
            for name in ("joins_from", "opens_at", "gathers_until")
        },
    }
    if queue.state != QueueState.GATHERING:
        doc |= {
            "entries": queue.entry_list,
            "entry_hash": queue.entry_hash,
            "places": [{"key": p["key"], "places": p["places"]} for p in queue.places or []],
            "beacon": None,
        }
    if queue.state == QueueState.DONE:
        doc |= {"secret": queue.secret, "seed": queue.seed, "results": queue.results}
    return doc


@dataclass(frozen=True)
class QueueDraw:
    """A queue's public page: what is published so far, and who got which place."""

    queue: OpeningQueue  # with ``facility``
    doc: dict[str, Any]
    winners: list[Winner]  # in the drawn order


async def draw_page(*, queue_id: int) -> QueueDraw:
    queue = await OpeningQueue.get_or_none(id=queue_id).select_related("facility")
    if queue is None:
        raise QueueNotFound("queue_not_found")
    doc = document(queue)
    results = doc.get("results") or {}
    if not results:
        return QueueDraw(queue, doc, [])
    courts = {r.id: r for r in await Resource.filter(facility_id=queue.facility_id)}
    places = {str(p["key"]): p for p in queue.places or []}
    won = results["won"]
    winners = [
        Winner(rank, name, datetime.fromisoformat(str(place["starts_at"])),
               courts.get(int(place["resource_id"])), second_round=False)
        for rank, name in enumerate(results["order"], 1)
        if (place := places.get(won.get(name) or "")) is not None
    ]  # fmt: skip
    return QueueDraw(queue, doc, winners)


@dataclass(frozen=True)
class QueueFigures:
    """One served queue on the public fairness page."""

    queue: OpeningQueue  # with ``facility``
    joined: int
    placed: int  # members the queue gave a place

    @property
    def rate(self) -> float:
        return self.placed / self.joined if self.joined else 0.0


async def recent() -> list[QueueFigures]:
    """The last served queues, newest first, with how many joined and got a place."""
    found = (
        await OpeningQueue.filter(state=QueueState.DONE)
        .select_related("facility")
        .order_by("-day", "facility_id")
        .limit(RECENT_QUEUES)
    )
    figures = []
    for queue in found:
        won = (queue.results or {}).get("won", {})
        placed = sum(1 for key in won.values() if key is not None)
        figures.append(QueueFigures(queue, len(won), placed))
    return figures


async def entries_of(*, member_id: int, limit: int = 10) -> list[QueueEntry]:
    """The member's queue entries of days still to come, with queue and hall."""
    return (
        await QueueEntry.filter(
            member_id=member_id, live_member__isnull=False, queue__day__gte=clock.today()
        )
        .select_related("queue__facility")
        .order_by("queue__day", "id")
        .limit(limit)
    )


def entry_label(entry: QueueEntry) -> str:
    """How My bookings names the member's entry (a label id): in the queue, places being
    given out, got a place, no place. The entry's ``queue`` is loaded."""
    if entry.outcome is not None:
        return f"queue_{entry.outcome.value}"
    return "serving" if entry.queue.state == QueueState.SERVING else "queue_in"


def outcome_label(entry: QueueEntry) -> str:
    """A label id for the member's entry: in the queue, got a place, no place."""
    if entry.outcome == QueueOutcome.WON:
        return "won"
    return "lost" if entry.outcome == QueueOutcome.LOST else "gathering"
