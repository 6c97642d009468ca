"""Freed places go to the waitlist first: they are held for the line, then promoted.

Whatever frees a place or adds one (a cancel, a no-show, a closure lifted, more
capacity, a session moved) calls ``hold_for_line`` in the same transaction. The held
places (``slots.held``) count as taken for everyone outside the line, so nobody
tapping the timetable takes a place the first in line is owed, even while Redis is
away. The hold is the record that a promotion is due: a job is queued after the
commit, and the sweep finds any held place no offer covers.
"""

from tortoise import connections
from tortoise.expressions import F

from palace import db
from palace.models import Closure, Slot, WaitlistEntry, WaitStatus
from palace.services.core import after_commit, audit, clock
from palace.services.facilities import closure_rule

PROMOTE_JOB = "promote"


async def hold_for_line(slot_id: int, *, event: str) -> int:
    """Hold the slot's free places for members waiting in line; returns how many.

    Call inside the transaction that freed or added the places. ``event`` names what
    happened (e.g. "release:42"), which makes the job id deterministic.
    """
    waiting = await WaitlistEntry.filter(slot_id=slot_id, status=WaitStatus.WAITING).count()
    if not waiting:
        return 0
    slot = await Slot.get(id=slot_id).select_related("resource")
    if clock.utc(slot.starts_at) <= clock.now():
        return 0  # nobody is promoted into a session that has started
    if await _closed(slot):
        return 0  # reopening the closure holds them (closures.reopen)
    offered = await WaitlistEntry.filter(slot_id=slot_id, status=WaitStatus.OFFERED).count()
    uncovered = waiting - (slot.held - offered)  # waiting members no unassigned hold serves
    wanted = min(slot.capacity - slot.taken - slot.held, uncovered)
    if wanted <= 0:
        return 0
    held = await Slot.filter(id=slot_id, taken__lte=F("capacity") - (F("held") + wanted)).update(
        held=F("held") + wanted
    )
    if held:
        await queue_promotion(slot_id, event=event)
    return wanted if held else 0


async def _closed(slot: Slot) -> bool:
    return await Closure.filter(
        closure_rule.covering(
            facility_id=slot.resource.facility_id,
            resource_id=slot.resource_id,
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
        )
    ).exists()


async def queue_promotion(slot_id: int, *, event: str) -> None:
    await after_commit.enqueue(PROMOTE_JOB, slot_id, job_id=f"promote:{slot_id}:{event}")


LOCK_CLASS = 8101  # advisory lock class of a slot's line (PostgreSQL)


async def lock_line(slot_id: int) -> None:
    """Serialise what changes a slot's line: promotions, and accepting an offer.

    PostgreSQL: an advisory lock, not the slot row: the booking core locks the member
    and then the slot row, so locking the slot row first here could deadlock with a
    member's own booking. SQLite: the transaction already holds the write lock.
    """
    if db.dialect() == "postgres":
        await connections.get("default").execute_query(
            "SELECT pg_advisory_xact_lock($1, $2)", [LOCK_CLASS, slot_id]
        )


async def close_line(
    slot_id: int, *, reason: str, actor_id: int | None = None
) -> list[WaitlistEntry]:
    """Nobody more is promoted here (it started, or the class was cancelled): the line
    closes and its held places go back. Returns the entries that were still in line."""
    live = await WaitlistEntry.filter(
        slot_id=slot_id, status__in=(WaitStatus.WAITING, WaitStatus.OFFERED)
    )
    closed = []
    for entry in live:
        if await WaitlistEntry.filter(id=entry.id, status=entry.status).update(
            status=WaitStatus.CLOSED, live_slot=None, live_child_slot=None
        ):
            closed.append(entry)
            await audit.record(
                actor_id=actor_id,
                entity="waitlist_entry",
                entity_id=entry.id,
                action="close",
                from_state=entry.status,
                to_state=WaitStatus.CLOSED,
                detail={"slot_id": slot_id, "member_id": entry.member_id, "reason": reason},
            )
    await Slot.filter(id=slot_id, held__gt=0).update(held=0)
    return closed
