"""Waitlists: a freed place is held for the line and given to the first in line."""

import asyncio
import contextlib
from datetime import datetime, timedelta
from functools import partial
from itertools import count

import pytest

from palace.models import (
    AuditEvent,
    Booking,
    BookingSource,
    BookingStatus,
    ClassSession,
    FacilityKind,
    Member,
    MemberStatus,
    Notification,
    Role,
    Schedule,
    Slot,
    WaitlistEntry,
    WaitStatus,
)
from palace.services.booking import bookings
from palace.services.classes import class_sessions, classes, schedule_edits
from palace.services.core import clock
from palace.services.core.errors import ServiceError
from palace.services.waitlist import promotions, waitlists
from tests.class_helpers import form, freeze, make_schedule
from tests.helpers import court, make_hall, make_member, make_members, make_session_slot, slot_at

_halls = count(1)


async def _full_court(**rules: object) -> tuple[Slot, Member]:
    hall = await make_hall(code=f"hall{next(_halls)}", **rules)
    holder = await make_member()
    booking = await bookings.book(
        member_id=holder.id, resource_id=(await court(hall)).id, starts_at=slot_at(days=2)
    )
    return await Slot.get(id=booking.slot_id), holder


async def _cancel_all(member: Member) -> None:
    for booking in await Booking.filter(member_id=member.id, status=BookingStatus.CONFIRMED):
        await bookings.cancel(member_id=member.id, booking_id=booking.id)


async def test_joining_a_full_slot_puts_the_member_in_line_in_order() -> None:
    slot, _ = await _full_court()
    first, second = await make_members(2)
    a = await waitlists.join(member_id=first.id, slot_id=slot.id, mode="auto")
    b = await waitlists.join(member_id=second.id, slot_id=slot.id, mode="ask")
    assert a.id < b.id and a.status == b.status == WaitStatus.WAITING
    with pytest.raises(ServiceError) as twice:
        await waitlists.join(member_id=first.id, slot_id=slot.id, mode="auto")
    assert twice.value.code == "already_waiting"


async def test_joining_a_line_at_a_time_the_member_is_booked_is_refused_at_the_tap() -> None:
    """The clash rule (item 4) is said when joining, not found out when a place frees."""
    slot, _ = await _full_court()
    member = await make_member()
    gym = await make_hall(code="gym", kind=FacilityKind.CAPACITY, capacity=5)
    booked = await bookings.book(
        member_id=member.id, resource_id=(await court(gym)).id, starts_at=slot_at(days=2)
    )
    with pytest.raises(ServiceError) as refused:
        await waitlists.join(member_id=member.id, slot_id=slot.id, mode="auto")
    assert refused.value.code == "booking_clash"
    assert refused.value.params == {"at": clock.utc(booked.starts_at)}
    assert not await WaitlistEntry.exists()
    await bookings.cancel(member_id=member.id, booking_id=booked.id)
    entry = await waitlists.join(member_id=member.id, slot_id=slot.id, mode="auto")
    assert entry.status == WaitStatus.WAITING


async def test_a_slot_with_room_has_no_line() -> None:
    hall = await make_hall()
    member = await make_member()
    slot = await Slot.create(
        resource=await court(hall), starts_at=slot_at(days=2),
        ends_at=slot_at(days=2) + timedelta(hours=1), capacity=1,
    )  # fmt: skip
    with pytest.raises(ServiceError) as error:
        await waitlists.join(member_id=member.id, slot_id=slot.id, mode="auto")
    assert error.value.code == "slot_has_room"
    with pytest.raises(ServiceError) as bad:
        await waitlists.join(member_id=member.id, slot_id=slot.id, mode="whenever")
    assert bad.value.code == "waitlist_mode_invalid"


async def test_a_cancel_holds_the_place_for_the_line_and_promote_books_the_first() -> None:
    slot, holder = await _full_court()
    first, second = await make_members(2)
    await waitlists.join(member_id=first.id, slot_id=slot.id, mode="auto")
    await waitlists.join(member_id=second.id, slot_id=slot.id, mode="auto")
    await _cancel_all(holder)
    held = await Slot.get(id=slot.id)
    assert (held.taken, held.held) == (0, 1)
    # Held for the line: someone outside it cannot take the place meanwhile.
    outsider = await make_member()
    with pytest.raises(ServiceError) as error:
        await bookings.take(
            member_id=outsider.id, slot_id=slot.id, actor_id=outsider.id,
            source=BookingSource.MEMBER,
        )  # fmt: skip
    assert error.value.code == "slot_taken"
    assert await promotions.promote(slot_id=slot.id) == 1
    assert await promotions.promote(slot_id=slot.id) == 0  # a second run changes nothing
    booking = await Booking.get(member_id=first.id, status=BookingStatus.CONFIRMED)
    assert booking.source == BookingSource.WAITLIST
    after = await Slot.get(id=slot.id)
    assert (after.taken, after.held) == (1, 0)
    entry = await WaitlistEntry.get(member_id=first.id)
    assert entry.status == WaitStatus.BOOKED and entry.booking_id == booking.id
    assert await Notification.filter(member_id=first.id, kind="waitlist_promoted").count() == 1
    assert not await Booking.filter(member_id=second.id).exists()


async def test_ask_me_first_gets_a_timed_offer_and_accepting_books() -> None:
    slot, holder = await _full_court(offer_minutes=20)
    member = await make_member()
    entry = await waitlists.join(member_id=member.id, slot_id=slot.id, mode="ask")
    await _cancel_all(holder)
    await promotions.promote(slot_id=slot.id)
    offered = await WaitlistEntry.get(id=entry.id)
    assert offered.status == WaitStatus.OFFERED
    assert offered.offer_expires_at is not None
    left = clock.utc(offered.offer_expires_at) - clock.now()
    assert timedelta(minutes=19) < left <= timedelta(minutes=20)
    note = await Notification.get(member_id=member.id, kind="waitlist_offer")
    assert note.detail["entry_id"] == entry.id
    booking = await waitlists.accept(member_id=member.id, entry_id=entry.id)
    again = await waitlists.accept(member_id=member.id, entry_id=entry.id)
    assert again.id == booking.id
    assert await Booking.filter(member_id=member.id).count() == 1
    after = await Slot.get(id=slot.id)
    assert (after.taken, after.held) == (1, 0)


async def test_an_offer_never_runs_past_the_start() -> None:
    hall = await make_hall(waitlist_auto_minutes=120, offer_minutes=20)
    starts = clock.now() + timedelta(minutes=10)
    slot = await make_session_slot(await court(hall), starts, capacity=1)
    holder, member = await make_members(2)
    await bookings.take(
        member_id=holder.id, slot_id=slot.id, actor_id=holder.id, source=BookingSource.MEMBER
    )
    # Close to the start even "book me automatically" becomes an offer.
    entry = await waitlists.join(member_id=member.id, slot_id=slot.id, mode="auto")
    await _cancel_all(holder)
    await promotions.promote(slot_id=slot.id)
    offered = await WaitlistEntry.get(id=entry.id)
    assert offered.status == WaitStatus.OFFERED
    assert offered.offer_expires_at is not None
    assert clock.utc(offered.offer_expires_at) == starts


async def test_concurrent_accepts_book_once() -> None:
    slot, holder = await _full_court()
    member = await make_member()
    entry = await waitlists.join(member_id=member.id, slot_id=slot.id, mode="ask")
    await _cancel_all(holder)
    await promotions.promote(slot_id=slot.id)
    results = await asyncio.gather(
        *(waitlists.accept(member_id=member.id, entry_id=entry.id) for _ in range(5)),
        return_exceptions=True,
    )
    booked = {r.id for r in results if isinstance(r, Booking)}
    assert len(booked) == 1, results
    assert await Booking.filter(member_id=member.id).count() == 1
    assert (await Slot.get(id=slot.id)).taken == 1


async def _offer_to(member: Member) -> tuple[Slot, WaitlistEntry]:
    slot, holder = await _full_court()
    entry = await waitlists.join(member_id=member.id, slot_id=slot.id, mode="ask")
    await _cancel_all(holder)
    await promotions.promote(slot_id=slot.id)
    return slot, await WaitlistEntry.get(id=entry.id)


async def test_an_offer_accepted_after_it_ran_out_is_refused_and_moves_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    member, next_in_line = await make_members(2)
    slot, entry = await _offer_to(member)
    await waitlists.join(member_id=next_in_line.id, slot_id=slot.id, mode="auto")
    assert entry.offer_expires_at is not None
    later = clock.utc(entry.offer_expires_at) + timedelta(seconds=1)
    monkeypatch.setattr(clock, "now", lambda: later)
    # Refused even before any sweep has moved the offer on.
    with pytest.raises(ServiceError) as error:
        await waitlists.accept(member_id=member.id, entry_id=entry.id)
    assert error.value.code == "offer_expired"
    await promotions.promote(slot_id=slot.id)
    assert (await WaitlistEntry.get(id=entry.id)).status == WaitStatus.EXPIRED
    assert await Notification.filter(member_id=member.id, kind="waitlist_offer_expired").count()
    with pytest.raises(ServiceError) as again:
        await waitlists.accept(member_id=member.id, entry_id=entry.id)
    assert again.value.code == "offer_expired"
    assert not await Booking.filter(member_id=member.id).exists()
    # The next in line is booked (the start is days away).
    assert await Booking.filter(member_id=next_in_line.id, status=BookingStatus.CONFIRMED).exists()


async def test_accept_racing_the_expiry_has_one_outcome(monkeypatch: pytest.MonkeyPatch) -> None:
    outcomes = set()
    for accept_first in (True, False, True, False):
        member = await make_member()
        slot, entry = await _offer_to(member)
        assert entry.offer_expires_at is not None
        end = clock.utc(entry.offer_expires_at)
        # The member taps a moment before the end, the sweep runs at the end: each is
        # right by its own clock, so only the database can decide.
        monkeypatch.setattr(clock, "now", partial(_clock_of_task, end))
        accept = asyncio.create_task(
            waitlists.accept(member_id=member.id, entry_id=entry.id), name="accept"
        )
        expire = asyncio.create_task(promotions.promote(slot_id=slot.id), name="expire")
        tasks = [accept, expire] if accept_first else [expire, accept]
        results = await asyncio.gather(*tasks, return_exceptions=True)
        monkeypatch.undo()
        final = await WaitlistEntry.get(id=entry.id)
        booked = await Booking.filter(member_id=member.id, status=BookingStatus.CONFIRMED).count()
        assert (final.status, booked) in ((WaitStatus.BOOKED, 1), (WaitStatus.EXPIRED, 0)), results
        refused = [r for r in results if isinstance(r, ServiceError)]
        assert (final.status == WaitStatus.EXPIRED) == bool(refused)
        assert all(r.code == "offer_expired" for r in refused)
        slot_now = await Slot.get(id=slot.id)
        assert slot_now.taken == booked and slot_now.taken + slot_now.held <= 1
        outcomes.add(final.status)
    assert outcomes  # which one wins depends on the order the database saw them


def _clock_of_task(end: datetime) -> datetime:
    task = asyncio.current_task()
    name = task.get_name() if task else ""
    return end - timedelta(milliseconds=1) if name == "accept" else end


async def test_declining_passes_the_offer_to_the_next_in_line() -> None:
    member, second = await make_members(2)
    slot, entry = await _offer_to(member)
    await waitlists.join(member_id=second.id, slot_id=slot.id, mode="ask")
    await waitlists.decline(member_id=member.id, entry_id=entry.id)
    await promotions.promote(slot_id=slot.id)
    assert (await WaitlistEntry.get(member_id=second.id)).status == WaitStatus.OFFERED
    with pytest.raises(ServiceError) as error:
        await waitlists.accept(member_id=member.id, entry_id=entry.id)
    assert error.value.code == "offer_gone"


async def test_a_member_who_cannot_be_booked_is_skipped_told_once_and_keeps_their_place() -> None:
    slot, holder = await _full_court(max_active=1)
    busy, free = await make_members(2)
    hall_court = await Slot.get(id=slot.id).prefetch_related("resource")
    # busy already has the one booking the hall allows.
    await bookings.book(
        member_id=busy.id, resource_id=hall_court.resource.id, starts_at=slot_at(days=3)
    )
    busy_entry = await waitlists.join(member_id=busy.id, slot_id=slot.id, mode="auto")
    await waitlists.join(member_id=free.id, slot_id=slot.id, mode="auto")
    await _cancel_all(holder)
    await promotions.promote(slot_id=slot.id)
    assert await Booking.filter(member_id=free.id, slot_id=slot.id).exists()
    kept = await WaitlistEntry.get(id=busy_entry.id)
    assert kept.status == WaitStatus.WAITING and kept.skipped_code == "over_quota_active"
    skipped = await Notification.filter(member_id=busy.id, kind="waitlist_skipped")
    assert [n.detail["reason"] for n in skipped] == ["over_quota_active"]
    # Still first in line: the next freed place is tried for them first, without a second message.
    await _cancel_all(free)
    await promotions.promote(slot_id=slot.id)
    assert await Notification.filter(member_id=busy.id, kind="waitlist_skipped").count() == 1
    # Nobody could take it: the place is free for everyone again.
    assert (await Slot.get(id=slot.id)).held == 0


async def test_a_clash_or_a_suspension_skips_the_member() -> None:
    slot, holder = await _full_court()
    clashing, suspended, fine = await make_members(3)
    for member in (clashing, suspended, fine):
        await waitlists.join(member_id=member.id, slot_id=slot.id, mode="auto")
    # Booked at the same time after joining the line: the promotion must pass them over.
    other_hall = await make_hall(code="gym", kind=FacilityKind.CAPACITY, capacity=5)
    await bookings.book(
        member_id=clashing.id, resource_id=(await court(other_hall)).id, starts_at=slot_at(days=2)
    )
    await Member.filter(id=suspended.id).update(status=MemberStatus.SUSPENDED)
    await _cancel_all(holder)
    await promotions.promote(slot_id=slot.id)
    assert await Booking.filter(member_id=fine.id, slot_id=slot.id).exists()
    reasons = {
        n.member_id: n.detail["reason"] for n in await Notification.filter(kind="waitlist_skipped")
    }
    assert reasons == {clashing.id: "booking_clash", suspended.id: "member_suspended"}


async def test_a_member_skipped_while_suspended_for_no_shows_is_told_so() -> None:
    from palace.services.messages import inbox

    slot, holder = await _full_court()
    suspended, fine = await make_members(2)
    for member in (suspended, fine):
        await waitlists.join(member_id=member.id, slot_id=slot.id, mode="auto")
    until = slot_at(days=10)
    await Member.filter(id=suspended.id).update(booking_suspended_until=until)
    await _cancel_all(holder)
    await promotions.promote(slot_id=slot.id)
    assert await Booking.filter(member_id=fine.id, slot_id=slot.id).exists()
    skipped = await Notification.get(member_id=suspended.id, kind="waitlist_skipped")
    assert skipped.detail["reason"] == "booking_suspended"
    for lang, words in [
        ("en", "Booking is suspended until"),
        ("zh-CN", "预约功能暂停至"),
    ]:
        (item,) = await inbox.items(member_id=suspended.id, lang=lang)
        assert words in item.text, item.text
        assert until.astimezone(clock.zone()).strftime("%H:%M") in item.text
        assert "a booking rule does not allow it" not in item.text


async def test_twenty_cancels_on_a_full_class_promote_the_first_twenty_in_order() -> None:
    hall = await make_hall(code="yoga", kind=FacilityKind.CLASSROOM, max_active=5)
    slot = await make_session_slot(await court(hall), slot_at(days=2), capacity=20)
    holders = await make_members(20)
    waiting = await make_members(30)
    for member in holders:
        await bookings.take(
            member_id=member.id, slot_id=slot.id, actor_id=member.id, source=BookingSource.MEMBER
        )
    for member in waiting:
        await waitlists.join(member_id=member.id, slot_id=slot.id, mode="auto")
    await asyncio.gather(*(_cancel_all(member) for member in holders))
    await asyncio.gather(*(promotions.promote(slot_id=slot.id) for _ in range(4)))
    promoted = await Booking.filter(slot_id=slot.id, status=BookingStatus.CONFIRMED)
    assert sorted(b.member_id for b in promoted) == [m.id for m in waiting[:20]]
    after = await Slot.get(id=slot.id)
    assert (after.taken, after.held) == (20, 0)
    still = await WaitlistEntry.filter(slot_id=slot.id, status=WaitStatus.WAITING)
    assert [e.member_id for e in still] == [m.id for m in waiting[20:]]


async def test_nobody_is_promoted_into_a_started_session(monkeypatch: pytest.MonkeyPatch) -> None:
    slot, holder = await _full_court()
    member = await make_member()
    entry = await waitlists.join(member_id=member.id, slot_id=slot.id, mode="auto")
    await _cancel_all(holder)
    started = clock.utc(slot.starts_at) + timedelta(minutes=1)
    monkeypatch.setattr(clock, "now", lambda: started)
    assert await promotions.sweep() == 0
    assert (await WaitlistEntry.get(id=entry.id)).status == WaitStatus.CLOSED
    assert (await Slot.get(id=slot.id)).held == 0
    assert not await Booking.filter(member_id=member.id).exists()


async def test_the_sweep_finds_held_places_a_lost_job_left() -> None:
    slot, holder = await _full_court()
    member = await make_member()
    await waitlists.join(member_id=member.id, slot_id=slot.id, mode="auto")
    await _cancel_all(holder)  # no queue in this process: the job is "lost"
    assert await promotions.sweep() == 1
    assert await Booking.filter(member_id=member.id, status=BookingStatus.CONFIRMED).exists()
    assert await AuditEvent.filter(entity="waitlist_entry", action="promote").count() == 1


async def test_leaving_the_line_and_positions() -> None:
    slot, _ = await _full_court()
    a, b, c = await make_members(3)
    entries = [
        await waitlists.join(member_id=m.id, slot_id=slot.id, mode="auto") for m in (a, b, c)
    ]
    from palace.services.waitlist import waitlist_views

    assert (await waitlist_views.slot_line(member_id=c.id, slot_id=slot.id)).mine.ahead == 2  # type: ignore[union-attr]
    await waitlists.leave(member_id=b.id, entry_id=entries[1].id)
    line = await waitlist_views.slot_line(member_id=c.id, slot_id=slot.id)
    assert line.mine is not None and line.mine.position == 2 and line.waiting == 2
    with pytest.raises(ServiceError) as error:
        await waitlists.leave(member_id=a.id, entry_id=entries[2].id)  # not a's entry
    assert error.value.code == "unknown_entry"


async def test_a_closure_lifted_gives_its_places_to_the_line() -> None:
    from palace.services.facilities import closures

    slot, _ = await _full_court()
    member, staff = await make_members(2)
    await waitlists.join(member_id=member.id, slot_id=slot.id, mode="auto")
    resource = await Slot.get(id=slot.id).prefetch_related("resource")
    closure, cancelled = await closures.close(
        actor_id=staff.id, facility_id=resource.resource.facility_id, resource_id=None,
        starts_at=slot.starts_at, ends_at=slot.ends_at, reason="比赛",
    )  # fmt: skip
    assert cancelled == 1 and (await Slot.get(id=slot.id)).held == 0  # closed: nothing held
    assert await promotions.sweep() == 0
    await closures.reopen(actor_id=staff.id, closure_id=closure.id)
    assert (await Slot.get(id=slot.id)).held == 1
    assert await promotions.promote(slot_id=slot.id) == 1
    assert await Booking.filter(member_id=member.id, status=BookingStatus.CONFIRMED).exists()


async def test_concurrent_promotions_make_one_offer_per_held_place() -> None:
    hall = await make_hall(code="yoga2", kind=FacilityKind.CLASSROOM, max_active=5)
    slot = await make_session_slot(await court(hall), slot_at(days=2), capacity=5)
    holders, waiting = await make_members(5), await make_members(10)
    for member in holders:
        await bookings.take(
            member_id=member.id, slot_id=slot.id, actor_id=member.id, source=BookingSource.MEMBER
        )
    for member in waiting:
        await waitlists.join(member_id=member.id, slot_id=slot.id, mode="ask")
    await asyncio.gather(*(_cancel_all(member) for member in holders))
    await asyncio.gather(*(promotions.promote(slot_id=slot.id) for _ in range(5)))
    offered = await WaitlistEntry.filter(slot_id=slot.id, status=WaitStatus.OFFERED)
    assert [e.member_id for e in offered] == [m.id for m in waiting[:5]]
    assert (await Slot.get(id=slot.id)).held == 5


async def test_an_accept_inside_a_running_promotion_leaves_one_held_place_per_open_offer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hall = await make_hall(code="yoga", kind=FacilityKind.CLASSROOM, max_active=5)
    slot = await make_session_slot(await court(hall), slot_at(days=2), capacity=3)
    holders = await make_members(3)
    first, second, third = await make_members(3)
    for member in holders:
        await bookings.take(
            member_id=member.id, slot_id=slot.id, actor_id=member.id, source=BookingSource.MEMBER
        )
    for member in (first, second, third):
        await waitlists.join(member_id=member.id, slot_id=slot.id, mode="ask")
    await _cancel_all(holders[0])
    await _cancel_all(holders[1])
    await promotions.promote(slot_id=slot.id)  # offers to the first two in line
    offers = {e.member_id: e for e in await WaitlistEntry.filter(status=WaitStatus.OFFERED)}
    assert set(offers) == {first.id, second.id}
    await waitlists.decline(member_id=second.id, entry_id=offers[second.id].id)

    # The first in line accepts while a promotion is between reading the slot and
    # counting the open offers: it must wait for the promotion, or the promotion would
    # count a place the accept just took as free.
    accepted = asyncio.Event()
    expire_due = promotions._expire_due

    async def slow_expire_due(slot_id: int) -> None:
        await expire_due(slot_id)
        # Time out when the accept waits for this promotion, as it should.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(accepted.wait(), timeout=1)

    monkeypatch.setattr(promotions, "_expire_due", slow_expire_due)

    async def accept() -> Booking:
        try:
            return await waitlists.accept(member_id=first.id, entry_id=offers[first.id].id)
        finally:
            accepted.set()

    await asyncio.gather(promotions.promote(slot_id=slot.id), accept())
    monkeypatch.undo()
    await promotions.promote(slot_id=slot.id)
    after = await Slot.get(id=slot.id)
    open_offers = await WaitlistEntry.filter(slot_id=slot.id, status=WaitStatus.OFFERED)
    assert [e.member_id for e in open_offers] == [third.id]
    assert (after.taken, after.held) == (2, 1)  # the third's offer has its place kept


async def test_a_member_who_left_the_line_during_a_promotion_is_not_told_they_were_passed_over(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    slot, holder = await _full_court()
    leaving, next_in_line = await make_members(2)
    for member in (leaving, next_in_line):
        await waitlists.join(member_id=member.id, slot_id=slot.id, mode="auto")
    await _cancel_all(holder)
    book = promotions._book

    async def leaves_meanwhile(entry: WaitlistEntry, terms: object) -> None:
        if entry.member_id == leaving.id:  # left after the promotion read the line
            await WaitlistEntry.filter(member_id=entry.member_id).update(
                status=WaitStatus.LEFT, live_slot=None
            )
        await book(entry, terms)  # type: ignore[arg-type]

    monkeypatch.setattr(promotions, "_book", leaves_meanwhile)
    assert await promotions.promote(slot_id=slot.id) == 1
    assert not await Notification.filter(member_id=leaving.id).exists()
    assert not await Booking.filter(member_id=leaving.id).exists()
    assert (await Booking.get(member_id=next_in_line.id)).status == BookingStatus.CONFIRMED


async def _full_weekly_class_with_one_waiting(
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[Schedule, ClassSession, Member, WaitlistEntry]:
    """A weekly class of one place: its first session is taken, one member waits for it."""
    freeze(monkeypatch, datetime(2026, 11, 23, 10, 0))
    schedule = await make_schedule(capacity="1")
    session = await ClassSession.filter(schedule_id=schedule.id).order_by("starts_at").first()
    assert session is not None
    holder, waiting = await make_members(2)
    await classes.book(member_id=holder.id, session_id=session.id)
    entry = await waitlists.join(member_id=waiting.id, slot_id=session.slot_id, mode="auto")
    return schedule, session, waiting, entry


async def test_more_places_in_a_weekly_class_go_to_its_line_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    schedule, session, waiting, _ = await _full_weekly_class_with_one_waiting(monkeypatch)
    values = form(
        await schedule.class_type, await schedule.room, await schedule.instructor, capacity="2"
    )
    staff = await make_member(role=Role.STAFF)
    await schedule_edits.update(actor_id=staff.id, schedule_id=schedule.id, values=values)
    slot = await Slot.get(id=session.slot_id)
    assert (slot.capacity, slot.taken, slot.held) == (2, 1, 1)  # kept for the one in line
    assert await promotions.promote(slot_id=slot.id) == 1
    assert (await Booking.get(member_id=waiting.id)).source == BookingSource.WAITLIST


async def test_members_waiting_for_a_cancelled_class_are_told_and_their_line_closes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, session, waiting, entry = await _full_weekly_class_with_one_waiting(monkeypatch)
    staff = await make_member(role=Role.STAFF)
    await class_sessions.cancel_session(actor_id=staff.id, session_id=session.id, reason="教练生病")
    told = await Notification.get(member_id=waiting.id)
    assert (told.kind, told.detail["reason"]) == ("class_cancelled", "教练生病")
    assert (await WaitlistEntry.get(id=entry.id)).status == WaitStatus.CLOSED
    slot = await Slot.get(id=session.slot_id)
    assert (slot.capacity, slot.taken, slot.held) == (0, 0, 0)
    assert await promotions.promote(slot_id=slot.id) == 0
    assert not await Booking.filter(member_id=waiting.id).exists()
