"""The opening-queue bench's palace: a court hall per round whose next day opens for
booking a few seconds from now (on the real clock), the members' choices, and the
requests their phones send.

The rules are those a hall could have: the day opens ``days_ahead`` days before at the
local minute ``opens_minute``, here the next whole minute at least ``lead`` seconds away,
so ``rules.booking_opens_at`` lands there without touching any clock.
"""

import json
import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from bench import fixture
from bench.client import Request, get
from palace.models import BookingRules, Facility
from palace.services.core import clock
from palace.services.facilities import rules
from palace.services.fairness import opening_queue, queue_gate
from palace.services.fairness.queue_gate import Times

EVENING = range(18, 22)  # the hours everyone wants first
DAY_HOURS = range(8, 22)  # fixture.make_hall's opening hours, a slot an hour
SETTLE_SECONDS = 75  # after a gathering: the serve, the checks, the next round's baseline


@dataclass(frozen=True)
class Hall:
    facility: Facility
    times: Times

    @property
    def code(self) -> str:
        return self.facility.code

    @property
    def day(self) -> str:
        return self.times.day.isoformat()


def first_opening(lead_seconds: float) -> datetime:
    """The next whole local minute at least ``lead_seconds`` from now."""
    soon = clock.now().astimezone(clock.zone()) + timedelta(seconds=lead_seconds)
    return soon.replace(second=0, microsecond=0) + timedelta(minutes=1)


def spacing(gather_seconds: int) -> timedelta:
    """Rounds open whole minutes apart, each after the last is served and checked."""
    return timedelta(minutes=math.ceil((gather_seconds + SETTLE_SECONDS) / 60))


async def make_hall(number: int, courts: int, opens_at: datetime, gather_seconds: int) -> Hall:
    """A hall of ``courts`` courts open 08:00-22:00 whose day ``days_ahead`` from the
    opening's date opens for booking at ``opens_at`` (a whole local minute)."""
    await fixture.make_hall(courts * fixture.HOURS_PER_COURT, code=f"queue{number}")
    facility = await Facility.get(code=f"queue{number}")
    local = opens_at.astimezone(clock.zone())
    await BookingRules.filter(facility_id=facility.id).update(
        opens_minute=local.hour * 60 + local.minute, queue_seconds=gather_seconds,
        open_through=None,
    )  # fmt: skip
    found = await BookingRules.get(facility_id=facility.id)
    times = queue_gate.times(found, local.date() + timedelta(days=found.days_ahead))
    assert times is not None and times.opens_at == clock.utc(opens_at), "rules missed the minute"
    assert rules.booking_opens_at(found, times.day) == opens_at
    return Hall(facility, times)


async def choice_keys(hall: Hall) -> list[str]:
    """The day's place keys (``…T19:00/c1``), as the queue takes them."""
    places = await opening_queue.day_places(hall.facility, hall.times.day)
    return [str(p["key"]) for p in places]


def pick_choices(keys: list[str], rng: random.Random) -> list[str]:
    """Up to three choices: an evening hour first (a court or any court), often a second
    evening hour on any court, sometimes any hour of the day last."""
    by_hour: dict[int, list[str]] = {}
    for key in keys:
        by_hour.setdefault(int(key.split("T")[1][:2]), []).append(key)
    evening = [h for h in EVENING if h in by_hour]

    def one(hours: list[int], any_court: float) -> str:
        key = rng.choice(by_hour[rng.choice(hours)])
        return key.rsplit("/", 1)[0] + "/*" if rng.random() < any_court else key

    choices = [one(evening, 0.5)]
    if rng.random() < 0.7:
        choices.append(one(evening, 1.0))
    if rng.random() < 0.4:
        choices.append(one(sorted(by_hour), 0.0))
    return list(dict.fromkeys(choices))


def join_request(base: str, secret: str, hall: Hall, choices: list[str]) -> Request:
    """What the mini-program sends to join: PUT …/queue/{day}/entry, JSON, a bearer token."""
    parts = urlsplit(base)
    body = json.dumps({"choices": choices}).encode()
    lines = [
        f"PUT /api/v1/halls/{hall.code}/queue/{hall.day}/entry HTTP/1.1",
        f"Host: {parts.netloc}",
        "Content-Type: application/json",
        f"Content-Length: {len(body)}",
        "Connection: close",
        f"Authorization: Bearer {secret}",
    ]
    head = "\r\n".join(lines).encode("latin-1") + b"\r\n\r\n"
    return Request(parts.hostname or "127.0.0.1", parts.port or 80, head + body)


def page_request(base: str, secret: str, hall: Hall) -> Request:
    """The member's queue page, as the app polls it: the baseline."""
    url = f"{base}/api/v1/halls/{hall.code}/queue/{hall.day}"
    return get(url, {"Authorization": f"Bearer {secret}"})
