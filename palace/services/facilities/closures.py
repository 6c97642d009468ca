"""Closures: a hall, or one court, shut for a period (a tournament, repairs).

Closing cancels the confirmed bookings in the period in the same transaction
and tells every member on them. A booking made at the same instant can slip
past (it checked for closures before ours committed); ``sweep`` runs every few
minutes and cancels such a booking the same way, so the database stays the truth.
"""

from dataclasses import dataclass
from datetime import datetime

from tortoise.queryset import QuerySet

from palace.models import (
    Booking,
    BookingPartner,
    BookingStatus,
    Closure,
    Facility,
    Resource,
    WaitlistEntry,
    WaitStatus,
)
from palace.services.booking import bookings, timetable
from palace.services.booking.bookings import BookingError
from palace.services.classes import class_sessions
from palace.services.core import after_commit, audit, clock, text
from palace.services.core.errors import NotFound, ServiceError
from palace.services.facilities import closure_rule, facilities
from palace.services.messages import notifications
from palace.services.waitlist import holds

REASON_MAX = 200
CANCELLED_KIND = "booking_cancelled_by_palace"


class ClosureError(ServiceError):
    pass


class ClosureNotFound(ClosureError, NotFound):
    pass


@dataclass(frozen=True)
class ClosuresView:
    facility: Facility
    resources: list[Resource]
    upcoming: list[Closure]  # not yet over, with ``resource`` loaded


async def overview(*, facility_id: int) -> ClosuresView:
    facility = await facilities.get_facility(facility_id=facility_id)
    resources = await Resource.filter(facility_id=facility_id, active=True)
    upcoming = await Closure.filter(
        facility_id=facility_id, ends_at__gt=clock.now()
    ).select_related("resource")
    return ClosuresView(facility, resources, upcoming)


async def _checked(
    facility_id: int, resource_id: int | None, starts_at: datetime, ends_at: datetime, reason: str
) -> tuple[Facility, str]:
    """The facility and the cleaned reason; ClosureError names every bad field."""
    facility = await facilities.get_facility(facility_id=facility_id)
    errors: dict[str, str] = {}
    if resource_id is not None and not await Resource.exists(
        id=resource_id, facility_id=facility_id
    ):
        errors["resource_id"] = "closure_resource_unknown"
    if ends_at <= starts_at:
        errors["ends_at"] = "closure_ends_before_start"
    elif ends_at <= clock.now():
        errors["ends_at"] = "closure_in_past"
    reason = text.line(reason)  # told to members as staff wrote it
    if not reason:
        errors["reason"] = "closure_reason_missing"
    elif len(reason) > REASON_MAX:
        errors["reason"] = "closure_reason_too_long"
    if errors:
        raise ClosureError("closure_invalid", fields=errors, max=REASON_MAX)
    return facility, reason


def _overlapping(
    facility_id: int, resource_id: int | None, starts_at: datetime, ends_at: datetime
) -> QuerySet[Booking]:
    covered = closure_rule.covered(
        facility_id=facility_id,
        resource_id=resource_id,
        starts_at=max(starts_at, clock.now()),  # what is over stays as it was
        ends_at=ends_at,
        period=closure_rule.BOOKING_PERIOD,
    )
    return Booking.filter(covered, status=BookingStatus.CONFIRMED)


async def affected(
    *,
    facility_id: int,
    resource_id: int | None,
    starts_at: datetime,
    ends_at: datetime,
    reason: str,
) -> int:
    """How many bookings closing now would cancel: what staff confirm before closing."""
    await _checked(facility_id, resource_id, starts_at, ends_at, reason)
    return await _overlapping(facility_id, resource_id, starts_at, ends_at).count()


async def close(
    *,
    actor_id: int,
    facility_id: int,
    resource_id: int | None,
    starts_at: datetime,
    ends_at: datetime,
    reason: str,
) -> tuple[Closure, int]:
    """Close a hall (resource None) or one court; returns it and the bookings cancelled."""
    facility, reason = await _checked(facility_id, resource_id, starts_at, ends_at, reason)
    async with after_commit.transaction():
        closure = await Closure.create(
            facility_id=facility_id,
            resource_id=resource_id,
            starts_at=starts_at,
            ends_at=ends_at,
            reason=reason,
            created_by_id=actor_id,
        )
        await audit.record(
            actor_id=actor_id,
            entity="closure",
            entity_id=closure.id,
            action="close",
            to_state="closed",
            detail=_closure_detail(closure),
        )
        # Sessions first, so their members hear which class was cancelled and why.
        cancelled = await class_sessions.cancel_covered(closure, actor_id=actor_id)
        cancelled += await _cancel_bookings(closure, facility, actor_id=actor_id)
    return closure, cancelled


def _closure_detail(closure: Closure) -> dict[str, object]:
    return {
        "facility_id": closure.facility_id,
        "resource_id": closure.resource_id,
        "starts_at": clock.utc(closure.starts_at).isoformat(),
        "ends_at": clock.utc(closure.ends_at).isoformat(),
        "reason": closure.reason,
    }


async def _cancel_bookings(
    closure: Closure, facility: Facility, *, actor_id: int | None, swept: bool = False
) -> int:
    """Cancel the closure's confirmed bookings and tell their members; inside a transaction."""
    found = await _overlapping(
        closure.facility_id, closure.resource_id, closure.starts_at, closure.ends_at
    )
    detail: dict[str, object] = {"closure_id": closure.id, "reason": closure.reason}
    if swept:
        detail["swept"] = True
    cancelled = 0
    for booking in found:
        try:
            await bookings.release(
                booking,
                status=BookingStatus.CANCELLED_BY_PALACE,
                actor_id=actor_id,
                action="close",
                detail=detail,
            )
        except BookingError:
            continue  # the member cancelled it meanwhile: nothing left to free or tell
        await _notify(booking, closure, facility)
        cancelled += 1
    return cancelled


async def _free_at(booking: Booking, facility: Facility) -> list[int]:
    """Courts of the hall free at the booking's time, as its booker's timetable shows them
    (the closure just made included): offered in the message. Inside the transaction."""
    if booking.starts_at <= clock.now():
        return []
    try:
        shown = await timetable.day(
            member_id=booking.member_id, code=facility.code, day=clock.local_day(booking.starts_at)
        )
    except ServiceError:  # no longer bookable online, or the day left the booking window
        return []
    start = clock.utc(booking.starts_at)
    row = next((r for r in shown.rows if clock.utc(r.starts_at) == start), None)
    cells = row.cells if row is not None else []
    return [c.resource.id for c in cells if c.state == timetable.CellState.FREE]


async def _notify(booking: Booking, closure: Closure, facility: Facility) -> None:
    partners = await BookingPartner.filter(booking_id=booking.id).only("member_id")
    partner_ids = [row.member_id for row in partners]
    detail = {
        "reason": closure.reason,
        "free_resource_ids": await _free_at(booking, facility),
        "facility": facility.code,
        "facility_id": facility.id,
        "resource_id": booking.resource_id,
        "starts_at": clock.utc(booking.starts_at).isoformat(),
        "closure_id": closure.id,
    }
    for member_id in dict.fromkeys([booking.member_id, *partner_ids]):
        await notifications.notify(
            member_id=member_id, kind=CANCELLED_KIND, booking_id=booking.id, detail=detail
        )


async def sweep() -> int:
    """Cancel confirmed bookings that slipped into a closure; safe to run any time.

    Only closures not yet over are looked at: a booking can race only a closure
    made while it could still be booked, and every closure is swept until it ends.
    """
    cancelled = 0
    for closure in await Closure.filter(ends_at__gt=clock.now()).select_related("facility"):
        overlapping = _overlapping(
            closure.facility_id, closure.resource_id, closure.starts_at, closure.ends_at
        )
        # Look before taking the write lock: almost always there is nothing to do.
        covered = class_sessions.covered_by(closure)
        if not await overlapping.exists() and not await covered.exists():
            continue
        async with after_commit.transaction():
            # Re-read under the transaction: the closure may have been reopened meanwhile.
            if not await Closure.exists(id=closure.id):
                continue
            cancelled += await class_sessions.cancel_covered(closure, actor_id=None)
            cancelled += await _cancel_bookings(
                closure, closure.facility, actor_id=None, swept=True
            )
    return cancelled


async def reopen(*, actor_id: int, closure_id: int) -> Closure:
    """Delete a closure that is not over yet. Cancelled bookings stay cancelled."""
    async with after_commit.transaction():
        closure = await Closure.filter(id=closure_id).select_for_update().first()
        if closure is None:
            raise ClosureNotFound("unknown_closure")
        if closure.ends_at <= clock.now():
            raise ClosureError("closure_over", facility_id=closure.facility_id)
        detail = _closure_detail(closure)
        await closure.delete()
        await audit.record(
            actor_id=actor_id,
            entity="closure",
            entity_id=closure_id,
            action="reopen",
            from_state="closed",
            to_state="reopened",
            detail=detail,
        )
        await _reopen_lines(closure)
    return closure


async def _reopen_lines(closure: Closure) -> None:
    """Places the closure freed go to the members still waiting for them."""
    slots = closure_rule.covered(
        facility_id=closure.facility_id,
        resource_id=closure.resource_id,
        starts_at=max(closure.starts_at, clock.now()),
        ends_at=closure.ends_at,
        period={side: f"slot__{column}" for side, column in closure_rule.SLOT_PERIOD.items()},
    )
    waiting = WaitlistEntry.filter(slots, status=WaitStatus.WAITING)
    for slot_id in sorted({row.slot_id for row in await waiting.only("slot_id")}):
        await holds.hold_for_line(slot_id, event=f"reopen:{closure.id}")
