"""What a member does with a waitlist: join a full slot's line, leave it, accept or
decline an offer. Promotion itself is the worker's (``promotions``).
"""

from tortoise.exceptions import IntegrityError

from palace.models import (
    Booking,
    BookingSource,
    Child,
    ClassSession,
    Member,
    Slot,
    WaitlistEntry,
)
from palace.models import WaitMode as M
from palace.models import WaitStatus as S
from palace.models.waitlists import LIVE
from palace.services.accounts import account_status
from palace.services.booking import bookings, slots
from palace.services.booking.slots import Terms
from palace.services.core import after_commit, audit, clock
from palace.services.core.errors import NotFound, ServiceError
from palace.services.messages import notifications
from palace.services.waitlist import holds

# Lines one member may stand in at once: enough for a week's plans, not for hoarding.
MAX_LINES = 10


class WaitlistError(ServiceError):
    pass


async def join(
    *, member_id: int, slot_id: int, mode: str, child_id: int | None = None
) -> WaitlistEntry:
    """Stand in line for a full slot; ``mode`` is "auto" (book me) or "ask" (ask me first).

    A children's class's line is for a child (``child_id``): a promotion books that child.
    """
    if mode not in (M.AUTO, M.ASK):
        raise WaitlistError("waitlist_mode_invalid")
    terms = await _terms(slot_id)
    _check_joinable_time(terms)
    async with after_commit.transaction():
        await _check_member(member_id, child_id)
        await _check_full(member_id, child_id, terms)
        await _check_clash(member_id, child_id, terms)
        if await WaitlistEntry.filter(member_id=member_id, status__in=LIVE).count() >= MAX_LINES:
            raise WaitlistError("too_many_waitlists", max=MAX_LINES)
        try:
            entry = await WaitlistEntry.create(
                slot_id=slot_id,
                member_id=member_id,
                mode=M(mode),
                child_id=child_id,
                live_slot=slot_id if child_id is None else None,
                live_child_slot=slot_id if child_id is not None else None,
            )
        except IntegrityError:
            raise WaitlistError("already_waiting") from None
        await _audit(entry, member_id, None, S.WAITING, "join", mode=mode, child_id=child_id)
    return entry


def live_keys(slot_id: int | None, child_id: int | None) -> dict[str, int | None]:
    """The line's unique key while in line (``slot_id``), or cleared (None): a member's
    own entry is unique on (member, live_slot), a child's on (child, live_child_slot)."""
    if child_id is None:
        return {"live_slot": slot_id, "live_child_slot": None}
    return {"live_slot": None, "live_child_slot": slot_id}


# Out of the line, whoever it was for: both keys cleared.
OUT = {"live_slot": None, "live_child_slot": None}


async def _terms(slot_id: int) -> Terms:
    try:
        return await slots.terms(slot_id)
    except slots.SlotError:
        raise NotFound("unknown_slot") from None


def _check_joinable_time(terms: Terms) -> None:
    now = clock.now()
    if terms.starts_at <= now:
        raise WaitlistError("slot_past")
    if now < terms.opens_at:
        raise WaitlistError("not_yet_open", opens_at=terms.opens_at)


async def _check_member(member_id: int, child_id: int | None) -> None:
    # Locked like the booking core does, so one member's double submit is serialised.
    member = await Member.filter(id=member_id).select_for_update().get_or_none()
    if member is None:
        raise WaitlistError("unknown_member")
    if not account_status.may_book(member):
        raise WaitlistError("member_suspended")
    if child_id is not None and not await Child.exists(
        id=child_id, parent_id=member_id, active=True
    ):
        raise WaitlistError("unknown_child")


async def _check_full(member_id: int, child_id: int | None, terms: Terms) -> None:
    """A line forms only for a full slot the person is not in already."""
    if await bookings.closure_over(terms.resource, terms.starts_at, terms.ends_at):
        raise WaitlistError("slot_closed")
    held = (
        Booking.filter(member_id=member_id, live_slot=terms.slot.id)
        if child_id is None
        else Booking.filter(child_id=child_id, live_child_slot=terms.slot.id)
    )
    if await held.exists():
        raise WaitlistError("already_booked")
    slot = await Slot.get(id=terms.slot.id)
    if slot.capacity == 0:
        raise WaitlistError("session_cancelled")
    for_children = await ClassSession.exists(slot_id=slot.id, class_type__for_children=True)
    if for_children and child_id is None:
        # A promotion books whoever stands in line, and a children's class place is a child's.
        raise WaitlistError("child_required")
    if not for_children and child_id is not None:
        raise WaitlistError("not_for_children")
    if slot.taken + slot.held < slot.capacity:
        raise WaitlistError("slot_has_room")


async def _check_clash(member_id: int, child_id: int | None, terms: Terms) -> None:
    """The booking core's clash rule, said now rather than when a place comes free."""
    refusal = await bookings.clash(
        member_id=member_id,
        child_id=child_id,
        slot_id=terms.slot.id,
        starts_at=terms.starts_at,
        ends_at=terms.ends_at,
    )
    if refusal is not None:
        raise WaitlistError(refusal.code, **refusal.params)


async def leave(*, member_id: int, entry_id: int) -> None:
    """Step out of the line; an open offer is declined and goes to the next in line."""
    entry = await _own_entry(member_id, entry_id)
    async with after_commit.transaction():
        for old in (S.WAITING, S.OFFERED):
            if await WaitlistEntry.filter(id=entry.id, status=old).update(status=S.LEFT, **OUT):
                await _audit(entry, member_id, old, S.LEFT, "leave")
                if old == S.OFFERED:
                    await _queue_next(entry, "left")
                return
    raise WaitlistError("not_waiting")


async def decline(*, member_id: int, entry_id: int) -> None:
    entry = await _own_entry(member_id, entry_id)
    async with after_commit.transaction():
        if not await WaitlistEntry.filter(id=entry.id, status=S.OFFERED).update(
            status=S.DECLINED, **OUT
        ):
            raise WaitlistError(await _gone_code(entry.id))
        await _audit(entry, member_id, S.OFFERED, S.DECLINED, "decline")
        await _queue_next(entry, "declined")


async def _queue_next(entry: WaitlistEntry, why: str) -> None:
    await holds.queue_promotion(entry.slot_id, event=f"{why}:{entry.id}")


async def accept(*, member_id: int, entry_id: int) -> Booking:
    """Take the offered place. Accepting twice gives the same booking; an offer that ran
    out is refused (``offer_expired``) even before the sweep has moved it on."""
    entry = await _own_entry(member_id, entry_id)
    async with after_commit.transaction():
        # Taking a held place changes what a running promotion counts as free: wait for
        # it, in the same order it locks (line, then member, then slot).
        await holds.lock_line(entry.slot_id)
        now = clock.now()
        # One conditional change decides between this and the offer running out.
        won = await WaitlistEntry.filter(
            id=entry.id, status=S.OFFERED, offer_expires_at__gt=now
        ).update(status=S.BOOKED, **OUT)
        if not won:
            return await _accepted_already(entry.id)
        booking = await bookings.take(
            member_id=member_id,
            slot_id=entry.slot_id,
            actor_id=member_id,
            source=BookingSource.WAITLIST,
            child_id=entry.child_id,
        )
        await WaitlistEntry.filter(id=entry.id).update(booking_id=booking.id)
        await _audit(entry, member_id, S.OFFERED, S.BOOKED, "accept", booking_id=booking.id)
        terms = await slots.terms(entry.slot_id)
        await notifications.notify(
            member_id=member_id,
            kind="booked",
            booking_id=booking.id,
            detail=notifications.slot_detail(terms),
            seen=True,
        )
    return booking


async def _accepted_already(entry_id: int) -> Booking:
    entry = await WaitlistEntry.get(id=entry_id)
    if entry.status == S.BOOKED and entry.booking_id is not None:
        return await Booking.get(id=entry.booking_id)
    raise WaitlistError(await _gone_code(entry_id))


async def _gone_code(entry_id: int) -> str:
    entry = await WaitlistEntry.get(id=entry_id)
    if entry.status == S.EXPIRED or (
        entry.status == S.OFFERED
        and entry.offer_expires_at is not None
        and clock.utc(entry.offer_expires_at) <= clock.now()
    ):
        return "offer_expired"
    if entry.status == S.BOOKED:
        return "offer_accepted"
    return "offer_gone"


async def _own_entry(member_id: int, entry_id: int) -> WaitlistEntry:
    """The member's own entry; someone else's looks exactly like a missing one."""
    entry = await WaitlistEntry.get_or_none(id=entry_id, member_id=member_id)
    if entry is None:
        raise NotFound("unknown_entry")
    return entry


async def _audit(
    entry: WaitlistEntry, actor_id: int, old: S | None, new: S, action: str, **detail: object
) -> None:
    await audit.record(
        actor_id=actor_id,
        entity="waitlist_entry",
        entity_id=entry.id,
        action=action,
        from_state=old,
        to_state=new,
        detail={"slot_id": entry.slot_id, **detail},
    )
