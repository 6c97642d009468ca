import asyncio
from datetime import date, datetime, timedelta

import pytest

from palace.models import (
    AuditEvent,
    Booking,
    BookingStatus,
    ClassSession,
    Closure,
    Notification,
    Role,
    RoomBlock,
    SessionStatus,
    Slot,
)
from palace.services.booking import releases
from palace.services.booking.bookings import BookingError
from palace.services.classes import class_sessions, classes
from palace.services.core import clock
from palace.services.facilities import closures
from tests.class_helpers import freeze, make_room, make_schedule
from tests.helpers import make_member, make_members


def _local_days(sessions: list[ClassSession]) -> list[date]:
    return [clock.local_day(s.starts_at) for s in sessions]


async def test_a_new_schedule_has_two_weeks_at_once_and_the_job_four(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    freeze(monkeypatch, datetime(2026, 11, 23, 10, 0))  # a Monday
    schedule = await make_schedule()
    sessions = await ClassSession.filter(schedule_id=schedule.id)
    assert [d.isoformat() for d in _local_days(sessions)] == [
        "2026-11-24", "2026-11-26", "2026-12-01", "2026-12-03",
    ]  # fmt: skip
    assert await class_sessions.generate() == 4
    sessions = await ClassSession.filter(schedule_id=schedule.id)
    assert [d.isoformat() for d in _local_days(sessions)][4:] == [
        "2026-12-08", "2026-12-10", "2026-12-15", "2026-12-17",
    ]  # fmt: skip
    first = sessions[0]
    slot = await Slot.get(id=first.slot_id)
    assert (slot.capacity, slot.taken, slot.kind, slot.cancel_cutoff_minutes) == (
        20, 0, "session", 120,
    )  # fmt: skip
    # Booking opens 7 days ahead at 08:00, local time.
    assert clock.utc(slot.opens_at) == clock.at(date(2026, 11, 17), 8 * 60)
    assert clock.utc(first.starts_at) == clock.at(date(2026, 11, 24), 19 * 60 + 30)
    assert await RoomBlock.filter(slot_id=slot.id).count() == 4


async def test_generating_twice_makes_nothing_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    freeze(monkeypatch, datetime(2026, 11, 23, 10, 0))
    schedule = await make_schedule()
    assert await class_sessions.generate() == 4  # weeks three and four
    assert await class_sessions.generate() == 0
    freeze(monkeypatch, datetime(2026, 11, 30, 10, 0))  # a week on: one more week due
    made = await class_sessions.generate()
    assert made == 2
    assert await class_sessions.generate() == 0
    # Two generators at once (two workers) still make each session once.
    freeze(monkeypatch, datetime(2026, 12, 7, 10, 0))
    outcomes = await asyncio.gather(class_sessions.generate(), class_sessions.generate())
    assert sum(outcomes) == 2
    assert await ClassSession.filter(schedule_id=schedule.id).count() == 12
    assert await Slot.filter(kind="session").count() == 12


async def test_sessions_are_re_derived_from_the_database_after_a_loss(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    freeze(monkeypatch, datetime(2026, 11, 23, 10, 0))
    schedule = await make_schedule()
    await class_sessions.generate()
    last = await ClassSession.filter(schedule_id=schedule.id).order_by("-starts_at").first()
    assert last is not None
    await RoomBlock.filter(slot_id=last.slot_id).delete()
    await last.delete()
    await Slot.filter(id=last.slot_id).delete()
    assert await class_sessions.generate() == 1
    assert await ClassSession.filter(schedule_id=schedule.id).count() == 8


async def test_a_public_holiday_has_no_session_and_a_make_up_working_day_has_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 2026: Labour Day holiday 1-5 May (Tuesday 5 May off in lieu), Saturday 9 May worked
    # in its place. A Tuesday/Thursday class skips Tuesday 5 May and meets Saturday 9 May.
    freeze(monkeypatch, datetime(2026, 4, 27, 10, 0))
    schedule = await make_schedule(term_end=date(2026, 5, 20))
    await class_sessions.generate()
    days = [d.isoformat() for d in _local_days(await ClassSession.filter(schedule_id=schedule.id))]
    assert days == [
        "2026-04-28", "2026-04-30", "2026-05-07", "2026-05-09", "2026-05-12", "2026-05-14",
        "2026-05-19",
    ]  # fmt: skip
    assert "2026-05-05" not in days


async def test_no_session_is_made_inside_a_closure(monkeypatch: pytest.MonkeyPatch) -> None:
    freeze(monkeypatch, datetime(2026, 11, 23, 10, 0))
    room = await make_room()
    staff = await make_member(role=Role.STAFF)
    await closures.close(
        actor_id=staff.id,
        facility_id=room.facility_id,
        resource_id=None,
        starts_at=clock.at(date(2026, 12, 1), 0),
        ends_at=clock.at(date(2026, 12, 2), 0),
        reason="职工运动会",
    )
    schedule = await make_schedule(room)
    days = [d.isoformat() for d in _local_days(await ClassSession.filter(schedule_id=schedule.id))]
    assert "2026-12-01" not in days
    assert "2026-12-03" in days
    assert await class_sessions.generate() == 4
    days = [d.isoformat() for d in _local_days(await ClassSession.filter(schedule_id=schedule.id))]
    assert "2026-12-01" not in days


async def _book(member_id: int, session_id: int) -> str:
    try:
        await classes.book(member_id=member_id, session_id=session_id)
    except BookingError as error:
        return error.code
    return "booked"


async def _first_session(**values: object) -> ClassSession:
    schedule = await make_schedule(**values)
    session = await ClassSession.filter(schedule_id=schedule.id).order_by("starts_at").first()
    assert session is not None
    return session


async def test_concurrent_bookings_on_the_last_class_place_make_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    freeze(monkeypatch, datetime(2026, 11, 23, 10, 0))
    session = await _first_session(capacity="1")
    rivals = await make_members(30)
    outcomes = await asyncio.gather(*(_book(m.id, session.id) for m in rivals))
    assert outcomes.count("booked") == 1
    assert set(outcomes) == {"booked", "slot_taken"}
    assert (await Slot.get(id=session.slot_id)).taken == 1
    assert await Booking.filter(status=BookingStatus.CONFIRMED).count() == 1


async def test_cancelling_a_session_cancels_its_bookings_and_tells_the_reason(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    freeze(monkeypatch, datetime(2026, 11, 23, 10, 0))
    session = await _first_session()
    members = await make_members(3)
    for member in members:
        assert await _book(member.id, session.id) == "booked"
    staff = await make_member(role=Role.STAFF)
    cancelled = await class_sessions.cancel_session(
        actor_id=staff.id, session_id=session.id, reason="老师生病"
    )
    assert cancelled == 3
    fresh = await ClassSession.get(id=session.id)
    assert (fresh.status, fresh.cancel_reason) == (SessionStatus.CANCELLED, "老师生病")
    assert await Booking.filter(status=BookingStatus.CANCELLED_BY_PALACE).count() == 3
    told = await Notification.filter(kind="class_cancelled")
    assert sorted(n.member_id for n in told) == sorted(m.id for m in members)
    assert all(n.detail["reason"] == "老师生病" for n in told)
    assert await RoomBlock.filter(slot_id=session.slot_id).count() == 0
    event = await AuditEvent.get(entity="class_session", entity_id=session.id)
    assert (event.actor_id, event.action, event.to_state) == (staff.id, "cancel", "cancelled")
    # Nobody can take a place in it any more.
    assert await _book((await make_member()).id, session.id) == "session_cancelled"


async def test_a_closure_made_later_cancels_the_sessions_it_covers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    freeze(monkeypatch, datetime(2026, 11, 23, 10, 0))
    session = await _first_session()
    member = await make_member()
    assert await _book(member.id, session.id) == "booked"
    staff = await make_member(role=Role.STAFF)
    room = await session.room
    _closure, cancelled = await closures.close(
        actor_id=staff.id,
        facility_id=room.facility_id,
        resource_id=room.id,
        starts_at=clock.utc(session.starts_at) - timedelta(hours=1),
        ends_at=clock.utc(session.ends_at),
        reason="消防检查",
    )
    assert cancelled == 1
    fresh = await ClassSession.get(id=session.id)
    assert (fresh.status, fresh.cancel_reason) == (SessionStatus.CANCELLED, "消防检查")
    note = await Notification.exclude(kind="booked").get(member_id=member.id)
    assert (note.kind, note.detail["reason"]) == ("class_cancelled", "消防检查")
    others = await ClassSession.filter(status=SessionStatus.SCHEDULED).count()
    assert others == 3


async def test_the_sweep_cancels_a_session_that_raced_a_closure(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    freeze(monkeypatch, datetime(2026, 11, 23, 10, 0))
    session = await _first_session()
    member = await make_member()
    assert await _book(member.id, session.id) == "booked"
    room = await session.room
    # Written as the closing transaction would see it if the session committed just after.
    await Closure.create(facility_id=room.facility_id, starts_at=clock.utc(session.starts_at),
                         ends_at=clock.utc(session.ends_at), reason="停电检修")  # fmt: skip
    assert await closures.sweep() == 1
    fresh = await ClassSession.get(id=session.id)
    assert (fresh.status, fresh.cancel_reason) == (SessionStatus.CANCELLED, "停电检修")
    assert await closures.sweep() == 0


async def test_cancelling_a_class_place_after_its_cut_off_is_a_late_cancel(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    freeze(monkeypatch, datetime(2026, 11, 23, 10, 0))
    session = await _first_session()  # Tuesday 19:30, two hours' cut-off
    member = await make_member()
    booking = await classes.book(member_id=member.id, session_id=session.id)
    freeze(monkeypatch, datetime(2026, 11, 24, 18, 0))
    done = await releases.cancel(member_id=member.id, booking_id=booking.id)
    assert done.status == BookingStatus.LATE_CANCELLED
    assert (await Slot.get(id=session.slot_id)).taken == 0
