"""Reminders before a booking, messages in the member's language, and outbound delivery."""

from datetime import timedelta

import pytest

from palace.models import Booking, Notification
from palace.services.booking import bookings
from palace.services.core import clock
from palace.services.messages import channels, inbox, notices, reminders
from tests.helpers import court, make_hall, make_member, slot_at


async def test_a_reminder_is_written_once_before_the_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hall = await make_hall()
    member = await make_member()
    booking = await bookings.book(
        member_id=member.id, resource_id=(await court(hall)).id, starts_at=slot_at(days=1)
    )
    assert await reminders.send_due() == 0  # a day away
    before = clock.utc(booking.starts_at) - timedelta(minutes=119)
    monkeypatch.setattr(clock, "now", lambda: before)
    assert await reminders.send_due() == 1
    assert await reminders.send_due() == 0
    note = await Notification.get(member_id=member.id, kind="reminder")
    assert note.booking_id == booking.id and note.read_at is None
    assert (await Booking.get(id=booking.id)).reminded_at is not None


async def test_a_booking_made_inside_the_lead_time_gets_no_reminder(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hall = await make_hall(days_ahead=7)
    member = await make_member()
    starts = slot_at(days=1)
    monkeypatch.setattr(clock, "now", lambda: starts - timedelta(minutes=30))
    booking = await bookings.book(
        member_id=member.id, resource_id=(await court(hall)).id, starts_at=starts
    )
    # Rows get their creation time from the real clock; this one was made half an hour ago.
    await Booking.filter(id=booking.id).update(created_at=starts - timedelta(minutes=30))
    assert await reminders.send_due() == 0
    assert not await Notification.filter(kind="reminder").exists()


async def test_every_kind_reads_in_both_languages() -> None:
    hall = await make_hall()
    member = await make_member()
    resource = await court(hall)
    detail = {
        "resource_id": resource.id,
        "room_id": resource.id,  # where a moved class meets now
        "starts_at": slot_at().isoformat(),
        "expires_at": slot_at().isoformat(),
        "reason": "over_quota_active",
        "params": {"max": 2},  # the skipping error's values
        "instructor": "李老师",
        "until": slot_at(15).isoformat(),
        "strikes": 2,
        "days": 30,
    }
    for kind in notices.TEXTS:
        await Notification.create(member_id=member.id, kind=kind, detail=detail)
    zh = await inbox.items(member_id=member.id, lang="zh-CN")
    en = await inbox.items(member_id=member.id, lang="en")
    about_places = [i for i in zh if i.notification.kind not in notices.MEMBER_KINDS]
    assert all("羽毛球馆 · 1号场" in item.text for item in about_places)
    assert all(
        "Badminton hall · Court 1" in item.text
        for item in en
        if item.notification.kind not in notices.MEMBER_KINDS
    )
    suspended = next(i for i in zh if i.notification.kind == "booking_suspended")
    assert "30 天内有 2 次预约未签到" in suspended.text and "10:00" in suspended.text
    skipped = next(i for i in zh if i.notification.kind == "waitlist_skipped")
    # Told the error that kept them out, as a page says it (palace/catalog).
    assert "您在本场馆已有 2 个未结束的预约，已达上限" in skipped.text
    assert await inbox.unread(member_id=member.id) == len(notices.TEXTS)


async def test_chosen_kinds_are_delivered_once_by_the_outbound_channel(
    caplog: pytest.LogCaptureFixture,
) -> None:
    member = await make_member(language="en")
    await channels.choose(member_id=member.id, kinds=["reminder"])
    from palace.services.messages import notifications

    wanted = await notifications.notify(member_id=member.id, kind="reminder", detail={})
    other = await notifications.notify(member_id=member.id, kind="booked", detail={})
    assert (await Notification.get(id=other.id)).sent_at is not None  # nothing to send
    with caplog.at_level("INFO", logger="palace.outbound"):
        assert await channels.sweep() == 1
        assert await channels.deliver(notification_id=wanted.id) is False
    sent = await Notification.get(id=wanted.id)
    assert sent.sent_via == "log"
    assert [r.getMessage() for r in caplog.records if "Reminder" in r.getMessage()]
