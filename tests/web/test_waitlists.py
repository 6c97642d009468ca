"""Waitlist and inbox pages: join a full court's line, answer an offer, read messages."""

from datetime import timedelta

import httpx

from palace.models import (
    Booking,
    BookingStatus,
    Closure,
    FacilityKind,
    OutboundChoice,
    Slot,
    WaitlistEntry,
)
from palace.services.booking import bookings
from palace.services.core import clock, text
from palace.services.facilities import closures
from palace.services.waitlist import promotions, waitlists
from tests.helpers import court, log_in, make_hall, make_member, post_form, slot_at, visible_text


async def _full_slot() -> Slot:
    hall = await make_hall()
    holder = await make_member()
    booking = await bookings.book(
        member_id=holder.id, resource_id=(await court(hall)).id, starts_at=slot_at(days=2)
    )
    return await Slot.get(id=booking.slot_id)


async def test_a_full_cell_leads_to_its_line_and_joining_shows_the_place(
    client: httpx.AsyncClient,
) -> None:
    slot = await _full_slot()
    member = await make_member()
    await log_in(client, member)
    day = (slot_at(days=2)).date().isoformat()
    timetable = (await client.get(f"/book/badminton?day={day}")).text
    assert f'href="/waitlist/{slot.id}"' in timetable
    page = await client.get(f"/waitlist/{slot.id}")
    assert "加入候补" in page.text and "自动为我预约" in page.text
    joined = await post_form(client, f"/waitlist/{slot.id}", {"mode": "ask"}, page="/bookings")
    assert joined.status_code == 303
    shown = visible_text((await client.get(f"/waitlist/{slot.id}")).text)
    assert "已加入候补" in shown and "您排在第 1 位" in shown and "先问我" in shown
    mine = visible_text((await client.get("/bookings")).text)
    assert "您排在第 1 位" in mine and "退出候补" in mine


async def test_joining_a_line_that_clashes_with_a_booking_says_so_at_once(
    client: httpx.AsyncClient,
) -> None:
    slot = await _full_slot()
    member = await make_member()
    gym = await make_hall(code="gym", kind=FacilityKind.CAPACITY, capacity=5)
    await bookings.book(
        member_id=member.id, resource_id=(await court(gym)).id, starts_at=slot_at(days=2)
    )
    await log_in(client, member)
    joined = await post_form(client, f"/waitlist/{slot.id}", {"mode": "auto"}, page="/bookings")
    assert joined.status_code == 303
    shown = visible_text((await client.get(joined.headers["location"])).text)
    assert "该时段已有预约" in shown and "同一个人不能同时在两个地方" in shown
    assert not await WaitlistEntry.exists()


async def test_bad_join_input_changes_nothing_and_says_why(client: httpx.AsyncClient) -> None:
    slot = await _full_slot()
    member = await make_member(language="en")
    await log_in(client, member)
    bad = await post_form(client, f"/waitlist/{slot.id}", {"mode": "<script>"}, page="/bookings")
    assert bad.status_code == 303
    assert "Choose how you want to be told" in (await client.get(bad.headers["location"])).text
    for path in ("/waitlist/99999999", "/waitlist/abc", "/waitlist/-1"):
        response = await post_form(client, path, {"mode": "auto"}, page="/bookings")
        assert response.status_code == 404, path
    assert not await WaitlistEntry.exists()


async def test_leaving_someone_elses_line_is_a_404(client: httpx.AsyncClient) -> None:
    slot = await _full_slot()
    owner, other = await make_member(), await make_member()
    entry = await waitlists.join(member_id=owner.id, slot_id=slot.id, mode="auto")
    await log_in(client, other)
    response = await post_form(client, f"/waitlist/entries/{entry.id}/leave", {}, page="/bookings")
    assert response.status_code == 404
    assert (await WaitlistEntry.get(id=entry.id)).live_slot == slot.id


async def test_an_offer_is_accepted_from_the_inbox_and_a_late_one_says_so(
    client: httpx.AsyncClient,
) -> None:
    slot = await _full_slot()
    holder = await Booking.get(slot_id=slot.id)
    member = await make_member()
    entry = await waitlists.join(member_id=member.id, slot_id=slot.id, mode="ask")
    await bookings.cancel(member_id=holder.member_id, booking_id=holder.id)
    await promotions.promote(slot_id=slot.id)
    await log_in(client, member)
    inbox = (await client.get("/inbox")).text
    assert "为您保留了名额" in inbox and f'action="/offers/{entry.id}/accept"' in inbox
    assert "data-countdown" in inbox
    badge = await client.get("/inbox/badge", headers={"HX-Request": "true"})
    assert ">1<" in badge.text
    accepted = await post_form(client, f"/offers/{entry.id}/accept", {}, page="/inbox")
    assert accepted.status_code == 303 and accepted.headers["location"].startswith("/bookings/")
    again = await post_form(client, f"/offers/{entry.id}/accept", {}, page="/inbox")
    assert again.headers["location"] == accepted.headers["location"]
    assert await Booking.filter(member_id=member.id, status=BookingStatus.CONFIRMED).count() == 1


async def test_an_offer_accepted_too_late_is_refused_with_a_message(
    client: httpx.AsyncClient,
) -> None:
    late = await make_member()
    await log_in(client, late)
    slot2 = await _second_offer(late)
    # Ran out a minute ago, whatever the time of day the suite runs at.
    await WaitlistEntry.filter(member_id=late.id, slot_id=slot2.id).update(
        offer_expires_at=clock.now() - timedelta(minutes=1)
    )
    entry2 = await WaitlistEntry.get(member_id=late.id)
    refused = await post_form(client, f"/offers/{entry2.id}/accept", {}, page="/inbox")
    assert refused.headers["location"] == "/inbox"
    assert "抱歉，保留时间已过" in (await client.get("/inbox")).text


async def _second_offer(member: object) -> Slot:
    hall = await make_hall(code="gym2")
    holder = await make_member()
    booking = await bookings.book(
        member_id=holder.id, resource_id=(await court(hall)).id, starts_at=slot_at(days=3)
    )
    await waitlists.join(member_id=member.id, slot_id=booking.slot_id, mode="ask")  # type: ignore[attr-defined]
    await bookings.cancel(member_id=holder.id, booking_id=booking.id)
    await promotions.promote(slot_id=booking.slot_id)
    return await Slot.get(id=booking.slot_id)


async def test_a_closed_courts_member_reads_the_reason_in_their_language(
    client: httpx.AsyncClient,
) -> None:
    hall = await make_hall()
    member = await make_member(language="en")
    staff = await make_member()
    await bookings.book(
        member_id=member.id, resource_id=(await court(hall)).id, starts_at=slot_at()
    )
    await closures.close(
        actor_id=staff.id, facility_id=hall.id, resource_id=None,
        starts_at=slot_at(hour=8), ends_at=slot_at(hour=18), reason="区级羽毛球比赛",
    )  # fmt: skip
    assert await Closure.exists()
    await log_in(client, member)
    page = visible_text((await client.get("/inbox")).text)
    assert "The palace cancelled your booking (Badminton hall · Court 1" in page
    assert "Reason: 区级羽毛球比赛" in page
    marked = await post_form(client, "/inbox/read", {}, page="/inbox")
    assert marked.status_code == 303
    assert (await client.get("/inbox/badge")).text.count('class="count"') == 0


async def test_outbound_choices_are_saved_and_forged_kinds_refused(
    client: httpx.AsyncClient,
) -> None:
    member = await make_member()
    await log_in(client, member)
    page = await client.get("/inbox/settings")
    assert "应用外的通知" in page.text
    saved = await post_form(
        client, "/inbox/settings", {"kind": "waitlist_offer"}, page="/inbox/settings"
    )
    assert saved.status_code == 303
    assert [c.kind for c in await OutboundChoice.filter(member_id=member.id)] == ["waitlist_offer"]
    forged = await post_form(client, "/inbox/settings", {"kind": "x" * 500}, page="/inbox")
    assert forged.status_code == 303
    assert "请从列表中选择" in (await client.get("/inbox/settings")).text
    assert await OutboundChoice.filter(member_id=member.id).count() == 1


async def test_the_line_says_the_halls_own_auto_book_cut_off_and_offer_time(
    client: httpx.AsyncClient,
) -> None:
    hall = await make_hall(waitlist_auto_minutes=100, offer_minutes=45)
    holder = await make_member()
    booking = await bookings.book(
        member_id=holder.id, resource_id=(await court(hall)).id, starts_at=slot_at(days=2)
    )
    await log_in(client, await make_member(language="en"))
    shown = visible_text((await client.get(f"/waitlist/{booking.slot_id}")).text)
    # Minutes as hours the one way, the figure the rules form shows staff.
    assert f"more than {text.hours_text(100)} hours away" in shown
    assert "45 minutes to accept the place" in shown
