"""Serving an opening queue once its gathering time is over, run by a worker.

1. Publish (once, by moving the state to ``serving``): the entry list (pseudonyms, their
   choices, every weight 1) and its hash, the places free at that moment, and the seed
   ``sha256(secret || entry_hash)``; the secret's commitment was public from the
   queue's first moment.
2. In the one draw's order (services/fairness/draw), each entry gets its highest
   choice with a place left, booked through the booking core (source ``queue``), so
   quotas, suspensions and clashes apply as to anyone; whatever the core refuses is
   recorded and published. Each entry is decided in its own transaction that first
   moves its ``decided`` flag by a conditional UPDATE: serving twice, or resuming after
   a worker died, books each entry once and goes on exactly where it stopped.
3. Finish (once, by moving the state to ``done``): the results, the losers told.
   First-come booking of the day opens then (``opening_queue.gate``).

The published file has the ballot's format, so ``palace verify-draw`` and the public
verify page check a queue exactly as they check a ballot.
"""

import json
from datetime import datetime
from typing import Any

from palace.models import (
    BookingSource,
    OpeningQueue,
    QueueEntry,
    QueueOutcome,
    QueueState,
    Slot,
    SlotKind,
)
from palace.services.booking import slots
from palace.services.booking.bookings import BookingError
from palace.services.core import after_commit, audit, clock
from palace.services.facilities import lookup
from palace.services.fairness import ballot_rounds, draw
from palace.services.fairness.draw import Entrant
from palace.services.fairness.opening_queue import day_places
from palace.services.fairness.places import take as take_place
from palace.services.fairness.queue_gate import GRACE
from palace.services.messages import notifications


def published_entrants(queue: OpeningQueue) -> list[Entrant]:
    rows = queue.entry_list or []
    return [Entrant(r["pseudonym"], r["weight"], tuple(r["choices"])) for r in rows]


def _places(queue: OpeningQueue) -> dict[str, int]:
    return {str(p["key"]): int(p["places"]) for p in queue.places or []}


async def serve(*, queue_id: int) -> int:
    """Serve a queue whose gathering is over; returns the places it booked now (0 when
    there is nothing to do: not due, served already)."""
    queue = await OpeningQueue.get_or_none(id=queue_id)
    if queue is None or queue.state == QueueState.DONE:
        return 0
    if clock.now() < clock.utc(queue.gathers_until) + GRACE:
        return 0  # joins that arrived in time may still be being written
    if queue.state == QueueState.GATHERING:
        await _publish(queue)
        queue = await OpeningQueue.get(id=queue_id)
    assert queue.seed is not None
    entries = {
        e.pseudonym: e
        for e in await QueueEntry.filter(queue_id=queue.id, live_member__isnull=False)
    }
    places = {str(p["key"]): p for p in queue.places or []}
    left = _places(queue)
    entrants = ballot_rounds.first_round_entrants(published_entrants(queue), list(left))
    booked = 0
    for entrant in draw.order(queue.seed, entrants):
        entry = entries[entrant.pseudonym]
        if not entry.decided and any(left.get(key, 0) > 0 for key in entrant.choices):
            entry = await _decide(queue, entry, entrant.choices, left, places)
            booked += entry.outcome == QueueOutcome.WON and entry.booking_id is not None
        if entry.outcome == QueueOutcome.WON and entry.won_key is not None:
            left[entry.won_key] -= 1
    await _finish(queue, entrants)
    return booked


async def _free_places(queue: OpeningQueue) -> list[dict[str, Any]]:
    """The day's first-come places as free now: what is left of each court's slot."""
    facility = await lookup.get_facility(facility_id=queue.facility_id)
    found = await day_places(facility, queue.day)
    starts = [datetime.fromisoformat(str(p["starts_at"])) for p in found]
    rows = await Slot.filter(
        kind=SlotKind.GRID,
        resource_id__in={int(str(p["resource_id"])) for p in found},
        starts_at__in=starts,
    )
    free = {(s.resource_id, clock.utc(s.starts_at)): slots.places_left(s) for s in rows}
    for place, starts_at in zip(found, starts, strict=True):
        taken = free.get((int(str(place["resource_id"])), clock.utc(starts_at)))
        if taken is not None:
            place["places"] = taken
    return found


async def _publish(queue: OpeningQueue) -> None:
    """The entry list, places and seed, once (the state moves first, so a join in flight
    is either in the list or refused: opening_queue holds the row while it writes)."""
    async with after_commit.transaction():
        moved = await OpeningQueue.filter(id=queue.id, state=QueueState.GATHERING).update(
            state=QueueState.SERVING
        )
        if not moved:
            return
        entries = await QueueEntry.filter(queue_id=queue.id, live_member__isnull=False)
        entrants = [Entrant(e.pseudonym, 1, tuple(e.choices)) for e in entries]
        queue.entry_list = json.loads(draw.canonical(entrants))
        queue.entry_hash = draw.entry_hash(entrants)
        queue.places = await _free_places(queue)
        queue.seed = draw.seed(queue.secret, queue.entry_hash)
        await queue.save(update_fields=["entry_list", "entry_hash", "places", "seed"])
        await audit.record(
            actor_id=None, entity="opening_queue", entity_id=queue.id, action="queue_publish",
            from_state=QueueState.GATHERING, to_state=QueueState.SERVING,
            detail={"entries": len(entries), "entry_hash": queue.entry_hash},
        )  # fmt: skip


async def _decide(
    queue: OpeningQueue,
    entry: QueueEntry,
    choices: tuple[str, ...],
    left: dict[str, int],
    places: dict[str, dict[str, Any]],
) -> QueueEntry:
    """The entry's turn: its first choice with a place left that the core accepts."""
    async with after_commit.transaction():
        claimed = await QueueEntry.filter(id=entry.id, decided=False).update(decided=True)
        if claimed:
            refusals: list[list[str]] = []
            outcome, won, booking_id = QueueOutcome.LOST, None, None
            for key in choices:
                if left.get(key, 0) <= 0:
                    continue
                try:
                    booking_id = await _book(queue, entry, places[key])
                except BookingError as error:
                    refusals.append([key, error.code])
                    continue
                outcome, won = QueueOutcome.WON, key
                break
            await QueueEntry.filter(id=entry.id).update(
                outcome=outcome, won_key=won, booking_id=booking_id, refusals=refusals
            )
    # Claimed here or by another run meanwhile: as the database has it now.
    return await QueueEntry.get(id=entry.id)


async def _book(queue: OpeningQueue, entry: QueueEntry, place: dict[str, Any]) -> int:
    booking = await take_place(place, member_id=entry.member_id, source=BookingSource.QUEUE)
    await notifications.notify(
        member_id=entry.member_id,
        kind="queue_won",
        booking_id=booking.id,
        detail={
            "queue_id": queue.id,
            "facility_id": booking.facility_id,
            "resource_id": booking.resource_id,
            "slot_id": booking.slot_id,
            "starts_at": clock.utc(booking.starts_at).isoformat(),
        },
    )
    return booking.id


def results(seed: str, entrants: list[Entrant], entries: list[QueueEntry]) -> dict[str, Any]:
    """What the serving gave, as published: the order, each place won, every refusal."""
    return {
        "order": [e.pseudonym for e in draw.order(seed, entrants)],
        "won": {e.pseudonym: e.won_key if e.outcome == QueueOutcome.WON else None for e in entries},
        "refused": {e.pseudonym: e.refusals for e in entries if e.refusals},
    }


async def _finish(queue: OpeningQueue, entrants: list[Entrant]) -> None:
    assert queue.seed is not None
    async with after_commit.transaction():
        moved = await OpeningQueue.filter(id=queue.id, state=QueueState.SERVING).update(
            state=QueueState.DONE, served_at=clock.now()
        )
        if not moved:
            return
        live = QueueEntry.filter(queue_id=queue.id, live_member__isnull=False)
        await live.filter(decided=False).update(decided=True, outcome=QueueOutcome.LOST)
        entries = await live
        queue.results = results(queue.seed, entrants, entries)
        await queue.save(update_fields=["results"])
        won = sum(e.outcome == QueueOutcome.WON for e in entries)
        await audit.record(
            actor_id=None, entity="opening_queue", entity_id=queue.id, action="queue_serve",
            from_state=QueueState.SERVING, to_state=QueueState.DONE,
            detail={"seed": queue.seed, "entries": len(entries), "won": won},
        )  # fmt: skip
        # Everyone without a place, in one write (a queue of thousands has as many).
        await notifications.notify_many(
            member_ids=[e.member_id for e in entries if e.outcome != QueueOutcome.WON],
            kind="queue_lost",
            detail={
                "queue_id": queue.id,
                "facility_id": queue.facility_id,
                "starts_at": clock.at(queue.day, 0).isoformat(),
            },
        )


async def due() -> list[int]:
    """Queues whose gathering is over and that are not done (a lost job, a dead worker)."""
    found = await OpeningQueue.filter(
        state__in=(QueueState.GATHERING, QueueState.SERVING), gathers_until__lte=clock.now() - GRACE
    )
    return [q.id for q in found]
