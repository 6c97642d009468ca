"""Class sessions: generated from schedules ahead of time, cancelled, changed by staff.

A session is a ``Slot`` of kind SESSION on its room plus a ``ClassSession`` row, made
in one transaction that also holds the room by the quarter hour (``slots.hold_room``):
the unique key on (room, quarter) is what keeps a class and a room booking apart, so
a session that loses the race to a room booking is simply not made.

``generate`` is idempotent (one session per schedule and start, a unique key) and
re-derives everything from the database, so the cron job may run any number of times.
"""

import logging
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.queryset import QuerySet

from palace.models import (
    Booking,
    BookingStatus,
    ClassSession,
    Closure,
    Resource,
    Schedule,
    SessionStatus,
    Slot,
    SlotKind,
)
from palace.services.booking import bookings, slots
from palace.services.classes import class_calendar
from palace.services.core import after_commit, audit, clock
from palace.services.core.errors import NotFound, ServiceError
from palace.services.messages import notifications
from palace.services.waitlist import holds

log = logging.getLogger("palace.classes")
HORIZON_WEEKS = 4  # the worker keeps this far ahead
CREATE_WEEKS = 2  # a new schedule's first weeks, made at once so staff see them
REASON_MAX = 200
CANCELLED_KIND = "class_cancelled"
INSTRUCTOR_KIND = "class_instructor_changed"


class ClassError(ServiceError):
    pass


class ClassNotFound(ClassError, NotFound):
    pass


@dataclass(frozen=True)
class Occurrence:
    """One meeting a schedule asks for: a start and an end, in UTC."""

    starts_at: datetime
    ends_at: datetime


def occurrences(schedule: Schedule, days: list[date]) -> list[Occurrence]:
    length = timedelta(minutes=schedule.minutes)
    starts = [clock.at(day, schedule.start_minute) for day in days]
    return [Occurrence(start, start + length) for start in starts]


async def wanted(schedule: Schedule, *, until: datetime) -> list[Occurrence]:
    """The schedule's meetings from now until ``until`` (holidays and no-class days left out)."""
    first = max(schedule.term_start, clock.today())
    last = min(schedule.term_end, clock.local_day(until))
    if last < first:
        return []
    palace = await class_calendar.palace_days(first, last)
    days, _skipped = class_calendar.plan(schedule.weekdays, first, last, palace)
    now = clock.now()
    return [o for o in occurrences(schedule, days) if now < o.starts_at < until]


def opens_at(schedule: Schedule, starts_at: datetime) -> datetime:
    """Booking for a session opens ``days_ahead`` days before, at the local time set."""
    day = clock.local_day(starts_at) - timedelta(days=schedule.days_ahead)
    return clock.at(day, schedule.opens_minute)


def horizon(weeks: int = HORIZON_WEEKS) -> datetime:
    return clock.now() + timedelta(weeks=weeks)


async def create_session(schedule: Schedule, occurrence: Occurrence) -> ClassSession:
    """Make one session with its slot and room hold; call inside a transaction.

    IntegrityError when the schedule already has a session then; SlotError
    ("room_in_use") when anything else holds the room.
    """
    slot = await Slot.create(
        resource_id=schedule.room_id,
        starts_at=occurrence.starts_at,
        ends_at=occurrence.ends_at,
        capacity=schedule.capacity,
        kind=SlotKind.SESSION,
        opens_at=opens_at(schedule, occurrence.starts_at),
        cancel_cutoff_minutes=schedule.cancel_cutoff_minutes,
    )
    session = await ClassSession.create(
        schedule_id=schedule.id,
        class_type_id=schedule.class_type_id,
        room_id=schedule.room_id,
        instructor_id=schedule.instructor_id,
        slot_id=slot.id,
        starts_at=occurrence.starts_at,
        ends_at=occurrence.ends_at,
    )
    await slots.hold_room(
        resource_id=schedule.room_id,
        starts_at=occurrence.starts_at,
        ends_at=occurrence.ends_at,
        slot_id=slot.id,
    )
    return session


async def days_with_sessions(schedule_id: int) -> set[date]:
    """Local days on which the schedule has a session from today on, cancelled ones too.

    One meeting a day: a day whose session staff cancelled (or moved) gets no new one.
    """
    start, _ = clock.day_bounds(clock.today())
    found = await ClassSession.filter(schedule_id=schedule_id, starts_at__gte=start)
    return {clock.local_day(session.starts_at) for session in found}


async def generate(*, until: datetime | None = None) -> int:
    """Make every missing session of every schedule up to ``until`` (default 4 weeks)."""
    end = until or horizon()
    made = 0
    for schedule in await Schedule.filter(active=True, term_end__gte=clock.today()):
        made += await generate_for(schedule, until=end)
    return made


async def generate_for(schedule: Schedule, *, until: datetime) -> int:
    have = await days_with_sessions(schedule.id)
    room = await Resource.get(id=schedule.room_id)
    made = 0
    for occurrence in await wanted(schedule, until=until):
        if clock.local_day(occurrence.starts_at) in have:
            continue
        if await bookings.closure_over(room, occurrence.starts_at, occurrence.ends_at):
            continue  # no session in a closure
        made += await _generate_one(schedule, occurrence)
    return made


async def _generate_one(schedule: Schedule, occurrence: Occurrence) -> int:
    try:
        async with after_commit.transaction():
            await create_session(schedule, occurrence)
    except IntegrityError:
        return 0  # another generator made it first
    except slots.SlotError:
        # The room was booked (or another class planned) meanwhile: the booking keeps it.
        log.warning("schedule %s: room taken at %s", schedule.id, occurrence.starts_at)
        return 0
    return 1


async def cancel_covered(closure: Closure, *, actor_id: int | None) -> int:
    """Cancel the sessions a closure covers, inside the closing transaction.

    Their members are told the closure's reason. Returns the bookings cancelled.
    """
    cancelled = 0
    for session in await covered_by(closure):
        cancelled += await cancel_locked(
            session, actor_id=actor_id, reason=closure.reason, action="close"
        )
    return cancelled


def covered_by(closure: Closure) -> QuerySet[ClassSession]:
    """Scheduled sessions not yet over in the closure's room or hall and period."""
    covered = ClassSession.filter(
        status=SessionStatus.SCHEDULED,
        room__facility_id=closure.facility_id,
        starts_at__lt=closure.ends_at,
        ends_at__gt=max(clock.utc(closure.starts_at), clock.now()),
    )
    if closure.resource_id is not None:
        covered = covered.filter(room_id=closure.resource_id)
    return covered


# Staff change one session.


async def scheduled(session_id: int) -> ClassSession:
    session = await ClassSession.get_or_none(id=session_id).select_related(
        "class_type", "room", "instructor", "slot"
    )
    if session is None:
        raise ClassNotFound("unknown_session")
    return session


def closures_text(raw: str) -> str:
    """A reason as typed, on one line, without control characters."""
    text = " ".join(raw.split())
    return "".join(c for c in text if not unicodedata.category(c).startswith("C"))


def upcoming(session: ClassSession) -> None:
    if session.status != SessionStatus.SCHEDULED:
        raise ClassError("session_cancelled")
    if clock.utc(session.starts_at) <= clock.now():
        raise ClassError("session_started")


async def _confirmed(session: ClassSession) -> list[Booking]:
    return await Booking.filter(slot_id=session.slot_id, status=BookingStatus.CONFIRMED)


def session_detail(session: ClassSession) -> dict[str, object]:
    return {
        "session_id": session.id,
        "class_type_id": session.class_type_id,
        "starts_at": clock.utc(session.starts_at).isoformat(),
    }


async def cancel_session(*, actor_id: int | None, session_id: int, reason: str) -> int:
    """Cancel one session: its bookings are cancelled and their members told the reason.

    Returns how many bookings were cancelled. ClassError("reason_missing" or
    "reason_too_long") when the reason is empty or too long.
    """
    reason = closures_text(reason)
    if not reason:
        raise ClassError("reason_missing", fields={"reason": "reason_missing"})
    if len(reason) > REASON_MAX:
        raise ClassError("reason_too_long", fields={"reason": "reason_too_long"}, max=REASON_MAX)
    session = await scheduled(session_id)
    upcoming(session)
    async with after_commit.transaction():
        return await cancel_locked(session, actor_id=actor_id, reason=reason)


async def cancel_locked(
    session: ClassSession, *, actor_id: int | None, reason: str, action: str = "cancel"
) -> int:
    """Cancel a session inside the caller's transaction (staff, a closure, a schedule edit)."""
    # Lock the slot first: a booking being taken right now either commits before we read
    # the bookings (and is cancelled with them) or finds no place left afterwards.
    await Slot.filter(id=session.slot_id).select_for_update().get()
    changed = await ClassSession.filter(id=session.id, status=SessionStatus.SCHEDULED).update(
        status=SessionStatus.CANCELLED, cancel_reason=reason
    )
    if not changed:
        return 0
    detail = {**session_detail(session), "reason": reason}
    # The line closes first, so the places released below are not held for it; the
    # members who were waiting are told the class is off, with the same reason.
    for entry in await holds.close_line(session.slot_id, reason=action, actor_id=actor_id):
        for_child = {"child_id": entry.child_id} if entry.child_id is not None else {}
        await notifications.notify(
            member_id=entry.member_id, kind=CANCELLED_KIND, detail={**detail, **for_child}
        )
    found = await _confirmed(session)
    for booking in found:
        await bookings.release(
            booking,
            status=BookingStatus.CANCELLED_BY_PALACE,
            actor_id=actor_id,
            action=f"session_{action}",
            detail=detail,
        )
        await notifications.notify(
            member_id=booking.member_id, kind=CANCELLED_KIND, booking_id=booking.id, detail=detail
        )
    # No place is left to take; the room is free for others again.
    await Slot.filter(id=session.slot_id).update(capacity=0)
    await slots.free_room(slot_id=session.slot_id)
    await audit.record(
        actor_id=actor_id,
        entity="class_session",
        entity_id=session.id,
        action=action,
        from_state=SessionStatus.SCHEDULED,
        to_state=SessionStatus.CANCELLED,
        detail={**detail, "bookings": len(found)},
    )
    return len(found)


async def change_capacity(*, actor_id: int, session_id: int, capacity: int) -> None:
    """A new number of places, never below the places already taken (the database decides)."""
    session = await scheduled(session_id)
    upcoming(session)
    if not 1 <= capacity <= MAX_CAPACITY:
        raise ClassError("capacity_invalid", max=MAX_CAPACITY)
    async with after_commit.transaction():
        changed = await Slot.filter(id=session.slot_id, taken__lte=capacity).update(
            capacity=capacity
        )
        if not changed:
            taken = (await Slot.get(id=session.slot_id)).taken
            raise ClassError("capacity_below_taken", taken=taken)
        await audit.record(
            actor_id=actor_id,
            entity="class_session",
            entity_id=session.id,
            action="capacity",
            detail={"from": session.slot.capacity, "to": capacity},
        )
        # More places: members waiting for this session get them first.
        await holds.hold_for_line(session.slot_id, event=f"capacity:{session.id}:{capacity}")


MAX_CAPACITY = 500


async def instructor_changed(session: ClassSession, *, actor_id: int, instructor_id: int) -> int:
    """Give one session another instructor, inside the caller's transaction.

    Members already booked are told, and the session's cancellation cut-off is lifted
    (set to 0 minutes), so cancelling before it starts is never late: they booked
    another teacher. Returns how many members were told.
    """
    if session.instructor_id == instructor_id:
        return 0
    await ClassSession.filter(id=session.id).update(instructor_id=instructor_id)
    found = await _confirmed(session)
    detail = {**session_detail(session), "instructor_id": instructor_id}
    if found:
        await Slot.filter(id=session.slot_id).update(cancel_cutoff_minutes=0)
    for booking in found:
        await notifications.notify(
            member_id=booking.member_id, kind=INSTRUCTOR_KIND, booking_id=booking.id, detail=detail
        )
    await audit.record(
        actor_id=actor_id,
        entity="class_session",
        entity_id=session.id,
        action="instructor",
        detail={**detail, "from": session.instructor_id},
    )
    return len(found)
