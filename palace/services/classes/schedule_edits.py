"""Editing a schedule: its future sessions follow, booked ones only when staff confirm.

Each future session is matched with the meeting the edited schedule asks for on the
same day. Sessions nobody booked simply follow (moved, re-roomed, given the new
instructor or removed). A session with members on it changes only when staff
confirm: then its members' places move with it and they are told, and its
cancellation cut-off is lifted (they booked something else, so cancelling is never
late); a booked session the new pattern drops is cancelled and its members told.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from palace.models import (
    Booking,
    BookingStatus,
    ClassSession,
    Instructor,
    Resource,
    Schedule,
    SessionStatus,
    Slot,
)
from palace.services.booking import slots
from palace.services.booking.slots import SlotError
from palace.services.classes import class_conflicts, class_sessions, schedules
from palace.services.classes.class_sessions import (
    ClassError,
    ClassNotFound,
    Occurrence,
    cancel_locked,
    horizon,
    wanted,
)
from palace.services.core import after_commit, audit, clock
from palace.services.messages import notifications
from palace.services.waitlist import holds

CHANGED_KIND = "class_changed"
DROPPED_REASON = "schedule_changed"


@dataclass(frozen=True)
class Change:
    session: ClassSession
    to: Occurrence | None  # None: the session is dropped
    booked: int  # confirmed places


async def _schedule(schedule_id: int) -> Schedule:
    found = await Schedule.get_or_none(id=schedule_id)
    if found is None:
        raise ClassNotFound("unknown_schedule")
    return found


async def _changes(old: Schedule, new: Schedule) -> list[Change]:
    """Future scheduled sessions of ``old`` and what each becomes under ``new``."""
    meetings = {clock.local_day(o.starts_at): o for o in await wanted(new, until=horizon())}
    sessions = await ClassSession.filter(
        schedule_id=old.id, status=SessionStatus.SCHEDULED, starts_at__gt=clock.now()
    ).select_related("slot")
    changes = []
    for session in sessions:
        to = meetings.get(clock.local_day(session.starts_at))
        if to is not None and not _differs(session, to, new):
            continue
        changes.append(Change(session, to, session.slot.taken))
    return changes


def _differs(session: ClassSession, to: Occurrence, new: Schedule) -> bool:
    return (
        clock.utc(session.starts_at) != to.starts_at
        or clock.utc(session.ends_at) != to.ends_at
        or session.room_id != new.room_id
        or session.instructor_id != new.instructor_id
    )


async def update(
    *,
    actor_id: int,
    schedule_id: int,
    values: Mapping[str, object],
    skip_days: bool = False,
    confirmed: bool = False,
) -> int:
    """Save the edited schedule and bring its future sessions in line; returns members told.

    ClassError("schedule_changes_booked", count=n) while booked sessions would change and
    staff have not confirmed; nothing is saved then.
    """
    old = await _schedule(schedule_id)
    new = await schedules.checked(values, current=old)
    new.id = old.id
    findings = await class_conflicts.find(new, exclude=old.id)
    schedules.refuse(findings, skip_days)
    changes = await _changes(old, new)
    booked = [c for c in changes if c.booked]
    if booked and not confirmed:
        raise ClassError("schedule_changes_booked", count=len(booked))
    async with after_commit.transaction():
        fields = schedules.stored_fields(new)
        await Schedule.filter(id=old.id).update(**fields)
        told = 0
        for change in changes:
            told += await _apply(change, new, actor_id)
        saved = await Schedule.get(id=old.id)
        await _retune(saved)
        await schedules.make_sessions(saved)
        await audit.record(
            actor_id=actor_id,
            entity="class_schedule",
            entity_id=old.id,
            action="edit",
            detail=schedules.audit_detail(saved),
        )
    return told


async def _apply(change: Change, new: Schedule, actor_id: int) -> int:
    session = change.session
    if change.to is None:
        if await Booking.exists(slot_id=session.slot_id):
            return await cancel_locked(
                session, actor_id=actor_id, reason=DROPPED_REASON, action="drop"
            )
        await slots.free_room(slot_id=session.slot_id)
        await ClassSession.filter(id=session.id).delete()
        await Slot.filter(id=session.slot_id).delete()
        return 0
    return await _move(session, change.to, new, actor_id)


async def _move(session: ClassSession, to: Occurrence, new: Schedule, actor_id: int) -> int:
    """The session takes the new time, room and instructor; its members go with it."""
    await slots.free_room(slot_id=session.slot_id)
    try:
        await slots.hold_room(
            resource_id=new.room_id, starts_at=to.starts_at, ends_at=to.ends_at,
            slot_id=session.slot_id,
        )  # fmt: skip
    except SlotError:
        raise ClassError("conflict_room_taken", when=to.starts_at) from None
    await ClassSession.filter(id=session.id).update(
        starts_at=to.starts_at, ends_at=to.ends_at, room_id=new.room_id,
        instructor_id=new.instructor_id,
    )  # fmt: skip
    found = await Booking.filter(slot_id=session.slot_id, status=BookingStatus.CONFIRMED)
    slot_fields: dict[str, object] = {
        "starts_at": to.starts_at, "ends_at": to.ends_at, "resource_id": new.room_id,
    }  # fmt: skip
    if found:
        slot_fields["cancel_cutoff_minutes"] = 0  # members may cancel without it being late
    await Slot.filter(id=session.slot_id).update(**slot_fields)
    room = await Resource.get(id=new.room_id)
    await Booking.filter(slot_id=session.slot_id).update(
        starts_at=to.starts_at, ends_at=to.ends_at, resource_id=room.id,
        facility_id=room.facility_id,
    )  # fmt: skip
    detail = _moved_detail(session, to, new)
    for booking in found:
        await audit.record(
            actor_id=actor_id, entity="booking", entity_id=booking.id, action="session_moved",
            detail=detail,
        )  # fmt: skip
        await notifications.notify(
            member_id=booking.member_id, kind=CHANGED_KIND, booking_id=booking.id, detail=detail
        )
    return len(found)


async def _retune(schedule: Schedule) -> None:
    """Places, booking window and cut-off of the future sessions follow the schedule.

    Capacity never drops below the places already taken; a lifted cut-off stays lifted.
    """
    sessions = await ClassSession.filter(
        schedule_id=schedule.id, status=SessionStatus.SCHEDULED, starts_at__gt=clock.now()
    )
    ids = [s.slot_id for s in sessions]
    await Slot.filter(id__in=ids, taken__lte=schedule.capacity).update(capacity=schedule.capacity)
    await Slot.filter(id__in=ids, cancel_cutoff_minutes__gt=0).update(
        cancel_cutoff_minutes=schedule.cancel_cutoff_minutes
    )
    for session in sessions:
        opens_at = class_sessions.opens_at(schedule, clock.utc(session.starts_at))
        await Slot.filter(id=session.slot_id).update(opens_at=opens_at)
        # More places go to the members waiting in line first, as a freed one does.
        await holds.hold_for_line(
            session.slot_id, event=f"schedule:{schedule.id}:{schedule.capacity}"
        )


def _moved_detail(session: ClassSession, to: Occurrence, new: Schedule) -> dict[str, object]:
    return {
        "session_id": session.id,
        "from": clock.utc(session.starts_at).isoformat(),
        "starts_at": to.starts_at.isoformat(),
        "room_id": new.room_id,
        "instructor_id": new.instructor_id,
    }


async def change_instructor(
    *, actor_id: int, session_id: int, instructor_id: int, series: bool
) -> int:
    """Another instructor for one session or (``series``) it and the schedule's later ones.

    Refused when the instructor teaches elsewhere then. Returns the members told.
    """
    session = await class_sessions.scheduled(session_id)
    class_sessions.upcoming(session)
    teacher = await Instructor.get_or_none(id=instructor_id, active=True)
    if teacher is None:
        raise ClassError("instructor_unknown", fields={"instructor_id": "instructor_unknown"})
    targets = [session]
    if series:
        targets = await ClassSession.filter(
            schedule_id=session.schedule_id,
            status=SessionStatus.SCHEDULED,
            starts_at__gte=session.starts_at,
        )
    for target in targets:
        await _free_to_teach(teacher, target)
    async with after_commit.transaction():
        if series:
            await Schedule.filter(id=session.schedule_id).update(instructor_id=instructor_id)
        told = 0
        for target in targets:
            told += await class_sessions.instructor_changed(
                target, actor_id=actor_id, instructor_id=instructor_id
            )
    return told


async def _free_to_teach(teacher: Instructor, session: ClassSession) -> None:
    busy = await class_conflicts.instructor_busy(
        instructor_id=teacher.id,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        session_id=session.id,
    )
    if busy is not None:
        raise ClassError(
            "instructor_busy",
            instructor=teacher.name,
            name=busy.class_type,
            when=clock.utc(busy.starts_at),
        )
