import asyncio
import json
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from palace.models import AuditEvent, Booking, CalendarFeed, Facility, Member, MemberStatus
from palace.services.booking import bookings, calendars, releases
from palace.services.booking.bookings import BookingError
from palace.services.core import clock
from palace.services.core.errors import ServiceError
from tests.helpers import add_partners, court, make_hall, make_member, slot_at


def strict_read(text: str) -> dict[str, Any]:
    """The file as a strict parser (ical.js, Thunderbird's) reads it; raises if it cannot."""
    script = Path(__file__).resolve().parents[2] / "ical_check.mjs"
    done = subprocess.run(
        ["node", str(script)], input=text, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    found: dict[str, Any] = json.loads(done.stdout)
    return found


def unfold(text: str) -> str:
    return text.replace("\r\n ", "")


def values(text: str, name: str) -> list[str]:
    """Every value of one property, e.g. all SUMMARY values, after unfolding."""
    prefix = f"{name}:"
    return [line[len(prefix) :] for line in unfold(text).split("\r\n") if line.startswith(prefix)]


async def _booked(member: Member, hall: Facility, days: int = 1, n: int = 1) -> Booking:
    resource = await court(hall, n)
    return await bookings.book(
        member_id=member.id, resource_id=resource.id, starts_at=slot_at(days, 10)
    )


async def test_one_booking_is_a_calendar_with_one_event_in_utc() -> None:
    hall = await make_hall()
    member = await make_member()
    booking = await _booked(member, hall, days=2)
    text = await calendars.booking_ics(member_id=member.id, booking_id=booking.id, lang="zh-CN")
    lines = unfold(text).split("\r\n")
    assert lines[:2] == ["BEGIN:VCALENDAR", "VERSION:2.0"]
    assert lines[-2:] == ["END:VCALENDAR", ""]
    for wanted in ("METHOD:PUBLISH", "STATUS:CONFIRMED", f"UID:booking-{booking.id}@palace"):
        assert wanted in lines
    assert values(text, "PRODID") and values(text, "DTSTAMP")[0].endswith("Z")
    assert lines.count("BEGIN:VEVENT") == 1
    # 10:00 and 11:00 in Shanghai are 02:00 and 03:00 UTC on the same date.
    day = clock.today() + timedelta(days=2)
    assert values(text, "DTSTART") == [f"{day:%Y%m%d}T020000Z"]
    assert values(text, "DTEND") == [f"{day:%Y%m%d}T030000Z"]
    assert values(text, "SUMMARY") == ["羽毛球馆 · 1号场"]
    assert values(text, "LOCATION") == ["工人文化宫"]
    assert "X-WR-CALNAME" not in text  # only a feed names a calendar
    (event,) = strict_read(text)["events"]
    assert (event["start"], event["end"]) == (
        slot_at(2, 10).isoformat().replace("+00:00", ".000Z"),
        slot_at(2, 11).isoformat().replace("+00:00", ".000Z"),
    )
    assert (event["summary"], event["status"]) == ("羽毛球馆 · 1号场", "CONFIRMED")
    # The calendar app reminds the member when Palace's own reminder does: 2 h before.
    assert event["alarms"] == [{"action": "DISPLAY", "trigger": "-PT2H"}]


async def test_every_line_ends_in_crlf() -> None:
    hall = await make_hall()
    member = await make_member()
    booking = await _booked(member, hall)
    text = await calendars.booking_ics(member_id=member.id, booking_id=booking.id, lang="en")
    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", "")
    assert "\r" not in text.replace("\r\n", "")


async def test_the_summary_is_in_the_language_asked_for() -> None:
    hall = await make_hall()
    member = await make_member()
    booking = await _booked(member, hall, n=2)
    text = await calendars.booking_ics(member_id=member.id, booking_id=booking.id, lang="en")
    assert values(text, "SUMMARY") == ["Badminton hall · Court 2"]
    assert values(text, "LOCATION") == ["Workers' Cultural Palace"]


async def test_names_with_special_characters_are_escaped_in_the_file() -> None:
    hall = await make_hall()
    await Facility.filter(id=hall.id).update(name_en="Hall; A, B\\C\nD\x07")
    member = await make_member()
    booking = await _booked(member, hall)
    text = await calendars.booking_ics(member_id=member.id, booking_id=booking.id, lang="en")
    assert values(text, "SUMMARY") == ["Hall\\; A\\, B\\\\C D · Court 1"]
    assert strict_read(text)["events"][0]["summary"] == "Hall; A, B\\C D · Court 1"


async def test_long_chinese_lines_fold_at_75_octets_between_characters() -> None:
    hall = await make_hall()
    # One ASCII letter first, so three-byte characters straddle every 75-octet boundary.
    long_name = "A" + "工人文化宫羽毛球馆" * 6
    await Facility.filter(id=hall.id).update(name_zh=long_name)
    member = await make_member()
    booking = await _booked(member, hall)
    text = await calendars.booking_ics(member_id=member.id, booking_id=booking.id, lang="zh-CN")
    raw = text.encode("utf-8").split(b"\r\n")
    summary_start = next(i for i, line in enumerate(raw) if line.startswith(b"SUMMARY:"))
    assert raw[summary_start + 1].startswith(b" "), "the long summary was not folded"
    for line in raw:
        assert len(line) <= 75, line
        line.decode("utf-8")  # a split character would not decode
    assert values(text, "SUMMARY") == [f"{long_name} · 1号场"]
    assert strict_read(text)["events"][0]["summary"] == f"{long_name} · 1号场"


async def test_a_cancelled_booking_says_cancelled() -> None:
    hall = await make_hall(cancel_cutoff_minutes=0)
    member = await make_member()
    booking = await _booked(member, hall)
    await releases.cancel(member_id=member.id, booking_id=booking.id)
    text = await calendars.booking_ics(member_id=member.id, booking_id=booking.id, lang="en")
    assert values(text, "STATUS") == ["CANCELLED"]
    assert values(text, "SEQUENCE") == ["1"]
    assert strict_read(text)["events"][0]["alarms"] == []  # nothing to be reminded of


async def test_someone_elses_booking_is_unknown() -> None:
    hall = await make_hall()
    owner, stranger = await make_member(), await make_member()
    booking = await _booked(owner, hall)
    for member_id, booking_id in ((stranger.id, booking.id), (owner.id, booking.id + 99)):
        with pytest.raises(BookingError) as caught:
            await calendars.booking_ics(member_id=member_id, booking_id=booking_id, lang="en")
        assert caught.value.code == "unknown_booking"


async def test_a_partner_gets_the_booking_and_sees_who_made_it() -> None:
    hall = await make_hall(partners_allowed=True)
    owner = await make_member(name="张伟")
    partner = await make_member(name="李娜")
    booking = await _booked(owner, hall)
    await add_partners(owner.id, booking.id, [partner])
    text = await calendars.booking_ics(member_id=partner.id, booking_id=booking.id, lang="zh-CN")
    assert values(text, "UID") == [f"booking-{booking.id}@palace"]
    assert "张伟" in values(text, "DESCRIPTION")[0]
    feed = await calendars.create_or_reset_feed(member_id=partner.id)
    assert values(await calendars.feed_ics(token=feed.token), "UID") == [
        f"booking-{booking.id}@palace"
    ]


async def test_the_feed_holds_the_last_30_days_onward_cancelled_ones_included() -> None:
    hall = await make_hall(cancel_cutoff_minutes=0, max_active=5)
    member = await make_member(language="en")
    old, recent, kept, dropped = [await _booked(member, hall, days=d) for d in (1, 2, 3, 4)]
    await Booking.filter(id=old.id).update(starts_at=clock.now() - timedelta(days=40))
    await Booking.filter(id=recent.id).update(starts_at=clock.now() - timedelta(days=20))
    await releases.cancel(member_id=member.id, booking_id=dropped.id)
    feed = await calendars.create_or_reset_feed(member_id=member.id)
    text = await calendars.feed_ics(token=feed.token)
    assert values(text, "UID") == [f"booking-{b.id}@palace" for b in (recent, kept, dropped)]
    assert values(text, "STATUS") == ["CONFIRMED", "CONFIRMED", "CANCELLED"]
    assert values(text, "X-WR-CALNAME") == ["Workers' Cultural Palace: my bookings"]
    strict = strict_read(text)
    assert strict["name"] == "Workers' Cultural Palace: my bookings"
    assert [e["status"] for e in strict["events"]] == ["CONFIRMED", "CONFIRMED", "CANCELLED"]
    assert values(text, "SUMMARY")[0] == "Badminton hall · Court 1"  # the member's language


async def test_the_feed_speaks_the_members_saved_language() -> None:
    hall = await make_hall()
    member = await make_member(language="zh-CN")
    await _booked(member, hall)
    feed = await calendars.create_or_reset_feed(member_id=member.id)
    assert values(await calendars.feed_ics(token=feed.token), "SUMMARY") == ["羽毛球馆 · 1号场"]
    await Member.filter(id=member.id).update(language="en")
    assert values(await calendars.feed_ics(token=feed.token), "SUMMARY") == [
        "Badminton hall · Court 1"
    ]


async def test_a_new_address_makes_the_old_one_unknown_at_once() -> None:
    member = await make_member()
    first = await calendars.create_or_reset_feed(member_id=member.id)
    second = await calendars.create_or_reset_feed(member_id=member.id)
    assert first.token != second.token and len(second.token) >= 40
    assert await CalendarFeed.filter(member_id=member.id).count() == 1
    with pytest.raises(ServiceError) as caught:
        await calendars.feed_ics(token=first.token)
    assert caught.value.code == "unknown_feed"
    assert "BEGIN:VCALENDAR" in await calendars.feed_ics(token=second.token)
    events = await AuditEvent.filter(entity="calendar_feed").order_by("id")
    assert [(e.action, e.actor_id, e.entity_id) for e in events] == [
        ("create", member.id, first.id),
        ("reset", member.id, first.id),
    ]
    assert all(
        first.token not in str(e.detail) and second.token not in str(e.detail) for e in events
    )


async def test_clicks_at_once_leave_one_address_that_works() -> None:
    member = await make_member()
    feeds = await asyncio.gather(
        *(calendars.create_or_reset_feed(member_id=member.id) for _ in range(6))
    )
    assert await CalendarFeed.filter(member_id=member.id).count() == 1
    current = await CalendarFeed.get(member_id=member.id)
    assert current.token in {f.token for f in feeds}
    assert "BEGIN:VCALENDAR" in await calendars.feed_ics(token=current.token)
    actions = await AuditEvent.filter(entity="calendar_feed").values_list("action", flat=True)
    assert sorted(actions) == ["create"] + ["reset"] * 5


async def test_turning_the_feed_off_forgets_the_address() -> None:
    member = await make_member()
    feed = await calendars.create_or_reset_feed(member_id=member.id)
    await calendars.revoke_feed(member_id=member.id)
    assert await calendars.feed_for(member_id=member.id) is None
    with pytest.raises(ServiceError) as caught:
        await calendars.feed_ics(token=feed.token)
    assert caught.value.code == "unknown_feed"
    await calendars.revoke_feed(member_id=member.id)  # again: nothing to do, nothing recorded
    actions = await AuditEvent.filter(entity="calendar_feed").values_list("action", flat=True)
    assert actions == ["create", "revoke"]


async def test_a_disabled_accounts_feed_is_unknown() -> None:
    member = await make_member()
    feed = await calendars.create_or_reset_feed(member_id=member.id)
    await Member.filter(id=member.id).update(status=MemberStatus.DISABLED)
    with pytest.raises(ServiceError) as caught:
        await calendars.feed_ics(token=feed.token)
    assert caught.value.code == "unknown_feed"


async def test_an_unknown_token_is_unknown() -> None:
    await calendars.create_or_reset_feed(member_id=(await make_member()).id)
    for token in ("", "nope", "x" * 500, "日历", "a b"):
        with pytest.raises(ServiceError) as caught:
            await calendars.feed_ics(token=token)
        assert caught.value.code == "unknown_feed"


async def test_a_renewed_address_says_it_replaced_one() -> None:
    member = await make_member()
    first, replaced = await calendars.renew_feed(member_id=member.id)
    assert not replaced
    second, replaced = await calendars.renew_feed(member_id=member.id)
    assert replaced and second.token != first.token
