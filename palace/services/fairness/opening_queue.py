"""The opening queue: a day's first-come places go out in a random order, not by speed.

From ``JOIN_AHEAD`` before a hall's day opens for booking until the gathering time
after it (the hall's ``queue_seconds``, 30 by default), a member may join the day's
queue with up to three ranked choices, change them or leave. When the gathering ends a
worker (services/fairness/queue_serve) publishes the entry list, draws one order for
everyone who joined (the one draw, every weight 1, from a seed committed to before the
first join) and books each member's highest choice still free through the booking
core. First-come booking of the day waits until that is done (``queue_gate``): nobody gains
by arriving earlier, tapping faster or running a script, from the first minute of the
queue to its last.
"""

from dataclasses import dataclass
from datetime import date

from tortoise.exceptions import IntegrityError

from palace import db, tracing
from palace.models import Facility, OpeningQueue, QueueEntry
from palace.services.accounts import accounts, throttle
from palace.services.booking import booking_sql
from palace.services.booking.bookings import member_refusal
from palace.services.core import after_commit, audit, clock
from palace.services.core.errors import NotFound, ServiceError
from palace.services.facilities import lookup, rules, setup_cache
from palace.services.fairness import ballot_holds, draw
from palace.services.fairness.ballot_rounds import ANY_COURT
from palace.services.fairness.ballot_setup import place_key
from palace.services.fairness.ballots import pseudonym_key
from palace.services.fairness.queue_gate import Times, next_day, times

MAX_CHOICES = 3


class QueueError(ServiceError):
    pass


class QueueNotFound(QueueError, NotFound):
    pass


# The places a queue gives and the choices a member may name.


async def day_places(facility: Facility, day: date) -> list[dict[str, object]]:
    """The hall's first-come places of the day (balloted ones are their ballot's), in
    time then court order."""
    facility_rules = await rules.rules_for(facility)
    hours = await setup_cache.opening_hours(facility.id)
    courts = await setup_cache.active_resources(facility)
    held = await ballot_holds.held_on(facility_id=facility.id, day=day)
    return [
        {
            "key": place_key(starts_at, court.code),
            "resource_id": court.id,
            "starts_at": starts_at.isoformat(),
            "ends_at": ends_at.isoformat(),
            "places": court.capacity,
        }
        for starts_at, ends_at in rules.slot_times(facility_rules, hours, day)
        for court in courts
        if (court.id, clock.utc(starts_at)) not in held
    ]


def choice_keys(places: list[dict[str, object]]) -> set[str]:
    keys = {str(p["key"]) for p in places}
    return keys | {k.rsplit("/", 1)[0] + "/" + ANY_COURT for k in keys}


def check_choices(places: list[dict[str, object]], choices: list[str]) -> list[str]:
    wanted = list(dict.fromkeys(c.strip() for c in choices if c.strip()))
    if not wanted:
        raise QueueError("queue_no_choice")
    if len(wanted) > MAX_CHOICES:
        raise QueueError("queue_too_many_choices", max=MAX_CHOICES)
    if not set(wanted) <= choice_keys(places):
        raise QueueError("queue_choice_invalid")
    return wanted


# Joining, changing and leaving.


async def _open_times(facility: Facility, day: date) -> Times:
    """The day's times, when the request arrived inside its joins (a request that
    arrived in time but waited in a rush counts until the queue is served)."""
    found = times(await rules.rules_for(facility), day) if rules.is_bookable(facility) else None
    if found is None:
        raise QueueError("queue_off")
    now = clock.now()
    arrived = min(tracing.arrived.get() or now, now)
    if arrived < found.joins_from:
        raise QueueError("queue_not_yet", joins_from=found.joins_from)
    if arrived >= found.gathers_until or now >= found.serves_at:
        raise QueueError("queue_closed")
    return found


async def queue_for(facility_id: int, found: Times) -> OpeningQueue:
    """The day's queue, made (with its commitment) by whoever comes first."""
    queue = await OpeningQueue.get_or_none(facility_id=facility_id, day=found.day)
    if queue is not None:
        return queue
    secret = draw.new_secret()
    try:
        async with after_commit.transaction():
            queue = await OpeningQueue.create(
                facility_id=facility_id,
                day=found.day,
                joins_from=found.joins_from,
                opens_at=found.opens_at,
                gathers_until=found.gathers_until,
                secret=secret,
                commitment=draw.commitment(secret),
                algorithm=draw.ALGORITHM,
            )
            await after_commit.enqueue(
                "serve_opening_queue",
                queue.id,
                job_id=f"queue-serve:{queue.id}",
                defer_until=found.serves_at,
            )
    except IntegrityError:  # another request made it first
        return await OpeningQueue.get(facility_id=facility_id, day=found.day)
    return queue


def pseudonym(queue_id: int, member_id: int) -> str:
    return draw.pseudonym(pseudonym_key(), f"queue-{queue_id}", member_id)


# Taken by every join, change and leave, and held to its commit: the serve's UPDATE of
# the state waits for those in flight, and any that comes after finds the queue closed.
_STILL_GATHERING = {
    "postgres": "SELECT id FROM opening_queues WHERE id = :queue AND state = 'gathering' FOR SHARE",
    "sqlite": "SELECT id FROM opening_queues WHERE id = :queue AND state = 'gathering'",
}


async def _hold_open(queue_id: int) -> None:
    if await booking_sql.first(_STILL_GATHERING[db.dialect()], queue=queue_id) is None:
        raise QueueError("queue_closed")


@dataclass(frozen=True)
class Joined:
    queue: OpeningQueue
    entry: QueueEntry


async def join(
    *, facility_id: int, day: date, member_id: int, choices: list[str], actor_id: int
) -> Joined:
    """Join the day's queue, or change the member's choices in it (one form for both)."""
    facility = await lookup.get_facility(facility_id=facility_id)
    found = await _open_times(facility, day)
    await throttle.reserve_queue_request(member_id=member_id)
    member = await accounts.get_member(member_id=member_id)
    if refusal := member_refusal(member):
        raise refusal
    wanted = check_choices(await day_places(facility, day), choices)
    queue = await queue_for(facility_id, found)
    try:
        await _write_entry(queue.id, member_id, wanted, actor_id)
    except IntegrityError:
        # The member's other tap made the entry meanwhile (the unique key on the live
        # member keeps it to one): this tap changes it.
        await _write_entry(queue.id, member_id, wanted, actor_id)
    entry = await QueueEntry.get(queue_id=queue.id, live_member=member_id)
    return Joined(queue, entry)


async def _write_entry(queue_id: int, member_id: int, wanted: list[str], actor_id: int) -> None:
    async with after_commit.transaction():
        await _hold_open(queue_id)
        changed = await QueueEntry.filter(queue_id=queue_id, live_member=member_id).update(
            choices=wanted
        )
        if not changed:
            await QueueEntry.create(
                queue_id=queue_id,
                member_id=member_id,
                live_member=member_id,
                choices=wanted,
                pseudonym=pseudonym(queue_id, member_id),
            )
        action = "queue_change" if changed else "queue_join"
        await _audit(queue_id, actor_id, action, member_id)


async def leave(*, facility_id: int, day: date, member_id: int, actor_id: int) -> None:
    facility = await lookup.get_facility(facility_id=facility_id)
    await _open_times(facility, day)
    await throttle.reserve_queue_request(member_id=member_id)
    queue = await OpeningQueue.get_or_none(facility_id=facility_id, day=day)
    if queue is None:
        raise QueueNotFound("queue_not_in")
    async with after_commit.transaction():
        await _hold_open(queue.id)
        left = await QueueEntry.filter(queue_id=queue.id, live_member=member_id).update(
            live_member=None, left_at=clock.now()
        )
        if not left:
            raise QueueNotFound("queue_not_in")
        await _audit(queue.id, actor_id, "queue_leave", member_id)


async def _audit(queue_id: int, actor_id: int, action: str, member_id: int) -> None:
    await audit.record(
        actor_id=actor_id,
        entity="opening_queue",
        entity_id=queue_id,
        action=action,
        detail={"member_id": member_id},
    )


async def ensure_queues() -> int:
    """Make the queue (and publish its commitment) of every hall's day whose joins are
    open now and that has none yet; returns how many were made."""
    made = 0
    now = clock.now()
    for facility in await Facility.filter(active=True):
        if not rules.is_bookable(facility):
            continue
        found = next_day(await rules.rules_for(facility), now)
        if found is None or not found.joining(now):
            continue
        if not await OpeningQueue.exists(facility_id=facility.id, day=found.day):
            await queue_for(facility.id, found)
            made += 1
    return made
