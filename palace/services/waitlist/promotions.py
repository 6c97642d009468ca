"""Promotion: the places held for a waitlist become bookings or timed offers.

A worker runs ``promote`` after a place was held for the line (see ``holds``); the
sweep runs it for every slot with work left, so a lost job only delays it. Each run
re-reads everything under a per-slot lock in its own transaction, so two workers, a
retried job and the sweep give each held place to exactly one member, in line order.

While the start is more than the hall's auto-book cut-off away, a member who chose
"book me automatically" is booked through the booking core (quotas, suspension,
closures, capacity and the clash rule all apply); otherwise the member gets a timed
offer and the place stays held until they accept, decline, or the offer runs out. A
member who cannot be booked (over quota, suspended, a booking made since joining that
overlaps) is skipped, told why once, and keeps their place in line. A child's entry
(children's classes) books or offers the place for that child.
"""

from datetime import datetime, timedelta

from tortoise.expressions import F

from palace import metrics, tracing
from palace.models import BookingSource, Slot, WaitlistEntry, WaitMode
from palace.models import WaitStatus as S
from palace.services.booking import bookings, slots
from palace.services.booking.bookings import BookingError
from palace.services.booking.slots import Terms
from palace.services.core import after_commit, audit, clock
from palace.services.messages import notifications
from palace.services.waitlist import holds, waitlists

# Key space of PostgreSQL advisory locks taken here (the second key is the slot id).
# Codes that end a member's wait instead of skipping them.
ENDS_WAIT = {"already_booked", "unknown_member"}


async def promote(*, slot_id: int) -> int:
    """Give the slot's held places to its line in order; returns how many were given."""
    async with after_commit.transaction():
        await holds.lock_line(slot_id)
        slot = await Slot.get_or_none(id=slot_id)
        if slot is None:
            return 0
        await _expire_due(slot_id)
        terms = await slots.terms(slot_id)
        if terms.starts_at <= clock.now():
            await _close_line(slot_id)
            return 0
        return await _give_held(slot, terms)


async def _give_held(slot: Slot, terms: Terms) -> int:
    if slot.capacity == 0:  # a cancelled class session: nothing left to give
        await _close_line(slot.id)
        return 0
    if slot.taken + slot.held > slot.capacity:
        # Fewer places than were held (capacity lowered): hold only what exists.
        await Slot.filter(id=slot.id).update(held=max(slot.capacity - slot.taken, 0))
        slot = await Slot.get(id=slot.id)
    offered = await WaitlistEntry.filter(slot_id=slot.id, status=S.OFFERED).count()
    free = slot.held - offered
    given = 0
    if free > 0 and not await bookings.closure_over(terms.resource, terms.starts_at, terms.ends_at):
        for entry in await WaitlistEntry.filter(slot_id=slot.id, status=S.WAITING).order_by("id"):
            if given == free:
                break
            given += await _give(entry, terms)
    if free - given > 0:
        # Nobody in line can take them now: the places are free for everyone again.
        await Slot.filter(id=slot.id, held__gte=free - given).update(
            held=F("held") - (free - given)
        )
    return given


async def _give(entry: WaitlistEntry, terms: Terms) -> int:
    """Book or offer one held place to this member; 0 when they are skipped."""
    try:
        async with after_commit.transaction():  # a savepoint: a refusal changes nothing
            if _books_now(entry, terms):
                await _book(entry, terms)
            else:
                await _offer(entry, terms)
    except BookingError as error:
        # No held place after all, or the member left the line meanwhile: nobody to tell.
        if error.code not in ("slot_taken", "waitlist_gone"):
            await _skip(entry, terms, error)
        return 0
    metrics.observe_promotion(tracing.job_queued_at.get())
    return 1


def _books_now(entry: WaitlistEntry, terms: Terms) -> bool:
    cutoff = timedelta(minutes=terms.rules.waitlist_auto_minutes)
    return entry.mode == WaitMode.AUTO and terms.starts_at - clock.now() > cutoff


async def _book(entry: WaitlistEntry, terms: Terms) -> None:
    booking = await bookings.take(
        member_id=entry.member_id,
        slot_id=terms.slot.id,
        actor_id=None,
        source=BookingSource.WAITLIST,
        child_id=entry.child_id,
    )
    await _set_status(entry, S.WAITING, S.BOOKED, action="promote", booking_id=booking.id)
    await notifications.notify(
        member_id=entry.member_id,
        kind="waitlist_promoted",
        booking_id=booking.id,
        detail=notifications.slot_detail(terms),
    )


def _detail(entry: WaitlistEntry, terms: Terms) -> dict[str, object]:
    """What a message about this place in line says: where, when, which entry, and for
    which child (names are read when it is shown)."""
    detail = {**notifications.slot_detail(terms), "entry_id": entry.id}
    return detail if entry.child_id is None else {**detail, "child_id": entry.child_id}


def offer_end(terms: Terms) -> datetime:
    """An offer lasts the hall's offer time, and never past the start."""
    return min(clock.now() + timedelta(minutes=terms.rules.offer_minutes), terms.starts_at)


async def _offer(entry: WaitlistEntry, terms: Terms) -> None:
    await bookings.check_may_take(
        member_id=entry.member_id,
        slot_id=terms.slot.id,
        source=BookingSource.WAITLIST,
        child_id=entry.child_id,
    )
    expires_at = offer_end(terms)
    changed = await WaitlistEntry.filter(id=entry.id, status=S.WAITING).update(
        status=S.OFFERED, offered_at=clock.now(), offer_expires_at=expires_at, skipped_code=None
    )
    if not changed:
        raise BookingError("waitlist_gone")
    await _audit(entry, S.WAITING, S.OFFERED, "offer", expires_at=expires_at.isoformat())
    await notifications.notify(
        member_id=entry.member_id,
        kind="waitlist_offer",
        detail={**_detail(entry, terms), "expires_at": expires_at.isoformat()},
    )


async def _skip(entry: WaitlistEntry, terms: Terms, error: BookingError) -> None:
    """Pass over a member who cannot take the place now; they keep their place in line."""
    code = error.code
    if code in ENDS_WAIT:
        await _set_status(entry, S.WAITING, S.CLOSED, action="close", reason=code)
        return
    if entry.skipped_code == code:
        return  # told already
    await WaitlistEntry.filter(id=entry.id).update(skipped_code=code)
    params = _stored(error.params)
    await _audit(entry, S.WAITING, S.WAITING, "skip", reason=code, params=params)
    await notifications.notify(
        member_id=entry.member_id,
        kind="waitlist_skipped",
        # The error's values, so the member is told it as a page would say it.
        detail={**_detail(entry, terms), "reason": code, "params": params},
    )


def _stored(params: dict[str, object]) -> dict[str, object]:
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in params.items()}


async def _set_status(
    entry: WaitlistEntry, old: S, new: S, *, action: str, **detail: object
) -> None:
    """Move an entry on; the line's live key goes once it leaves the line."""
    live = entry.slot_id if new in (S.WAITING, S.OFFERED) else None
    values: dict[str, object] = {"status": new, **waitlists.live_keys(live, entry.child_id)}
    if "booking_id" in detail:
        values["booking_id"] = detail["booking_id"]
    changed = await WaitlistEntry.filter(id=entry.id, status=old).update(**values)
    if not changed:
        raise BookingError("waitlist_gone")
    await _audit(entry, old, new, action, **detail)


async def _audit(entry: WaitlistEntry, old: S, new: S, action: str, **detail: object) -> None:
    await audit.record(
        actor_id=None,
        entity="waitlist_entry",
        entity_id=entry.id,
        action=action,
        from_state=old,
        to_state=new,
        detail={"slot_id": entry.slot_id, "member_id": entry.member_id, **detail},
    )


async def _expire_due(slot_id: int) -> None:
    """Offers past their time end; their held places go to the next in line."""
    now = clock.now()
    due = await WaitlistEntry.filter(slot_id=slot_id, status=S.OFFERED, offer_expires_at__lte=now)
    for entry in due:
        # The same conditional change as accepting, the other way: one of them wins.
        changed = await WaitlistEntry.filter(
            id=entry.id, status=S.OFFERED, offer_expires_at__lte=now
        ).update(status=S.EXPIRED, **waitlists.OUT)
        if not changed:
            continue
        await _audit(entry, S.OFFERED, S.EXPIRED, "expire")
        await notifications.notify(
            member_id=entry.member_id,
            kind="waitlist_offer_expired",
            detail=_detail(entry, await slots.terms(slot_id)),
        )


async def _close_line(slot_id: int) -> None:
    """The slot has started: nobody is promoted into it and held places go back."""
    await holds.close_line(slot_id, reason="started")


async def sweep() -> int:
    """Find every slot with promotion work from the database alone and do it.

    Work is: held places no offer covers, offers past their time, lines of slots
    that have started, and free places that members are waiting for (whatever freed
    them, even a path that did not hold them). Returns the places given.
    """
    given = 0
    for slot_id in await _slots_with_work():
        given += await promote(slot_id=slot_id)
    for slot_id in await _free_for_the_line():
        async with after_commit.transaction():
            # Held here, promoted just below rather than by a queued job.
            await holds.hold_for_line(slot_id, event=f"sweep:{clock.now():%Y%m%d%H%M}")
        given += await promote(slot_id=slot_id)
    return given


async def _slots_with_work() -> list[int]:
    now = clock.now()
    found: set[int] = set()
    for slot in await Slot.filter(held__gt=0):
        offered = await WaitlistEntry.filter(slot_id=slot.id, status=S.OFFERED).count()
        if slot.held > offered or clock.utc(slot.starts_at) <= now:
            found.add(slot.id)
    expired = WaitlistEntry.filter(status=S.OFFERED, offer_expires_at__lte=now)
    found.update(row.slot_id for row in await expired.only("slot_id"))
    started = WaitlistEntry.filter(status__in=(S.WAITING, S.OFFERED), slot__starts_at__lte=now)
    found.update(row.slot_id for row in await started.only("slot_id"))
    return sorted(found)


async def _free_for_the_line() -> list[int]:
    """Slots still to come with members waiting and a place nobody holds."""
    waiting = WaitlistEntry.filter(status=S.WAITING, slot__starts_at__gt=clock.now())
    ids = sorted({row.slot_id for row in await waiting.only("slot_id")})
    free = Slot.filter(id__in=ids, taken__lt=F("capacity") - F("held"))
    return sorted(row.id for row in await free.only("id"))
