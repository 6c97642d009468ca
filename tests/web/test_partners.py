"""Partners over HTTP: the invitation on My bookings and on its own page, the messages
leading there, the answer, what the booker sees and withdraws, and one masking of partner
names on the booking page, in calendar files and at the desk."""

import re
from datetime import timedelta

import httpx
import pytest

from palace.models import Booking, Role
from palace.services.booking import bookings, calendars, partners, tickets
from palace.services.core import clock
from tests.helpers import court, log_in, make_hall, make_member, post_form, slot_at, visible_text


async def _booking(owner_id: int) -> int:
    hall = await make_hall(partners_allowed=True)
    booking = await bookings.book(
        member_id=owner_id, resource_id=(await court(hall)).id, starts_at=slot_at()
    )
    return booking.id


async def test_a_partner_accepts_from_my_bookings(client: httpx.AsyncClient) -> None:
    owner = await make_member(name="钱多多")
    partner = await make_member(name="孙小美")
    booking_id = await _booking(owner.id)
    await partners.set_partners(
        member_id=owner.id, booking_id=booking_id, card_nos=[partner.card_no]
    )
    await log_in(client, partner)
    assert (await client.get(f"/bookings/{booking_id}")).status_code == 404
    mine = visible_text((await client.get("/bookings")).text)
    assert "钱多多 邀请您作为同伴：羽毛球馆 · 1号场" in mine
    path = f"/bookings/{booking_id}/invitation"
    answered = await post_form(client, path, {"answer": "accept"}, page="/bookings")
    assert answered.headers["location"] == f"/bookings/{booking_id}"
    page = visible_text((await client.get(f"/bookings/{booking_id}")).text)
    assert "您已加入这个预约。" in page and "钱多多" in page
    left = await post_form(client, f"/bookings/{booking_id}/leave", {}, page="/bookings")
    assert left.status_code == 303
    assert (await client.get(f"/bookings/{booking_id}")).status_code == 404


async def test_the_booker_gets_one_answer_for_any_card(client: httpx.AsyncClient) -> None:
    owner = await make_member()
    member = await make_member(name="孙小美")
    await log_in(client, owner)
    answers = []
    for card in (member.card_no, "NOPE1234"):
        booking_id = await _booking(owner.id) if not answers else await _second(owner.id)
        path = f"/bookings/{booking_id}/partners"
        response = await post_form(client, path, {"card": card}, page="/bookings")
        follow = visible_text((await client.get(response.headers["location"])).text)
        answers.append((response.status_code, follow.replace(card, "CARD")))
    assert answers[0][0] == answers[1][0] == 303
    assert "已保存。每个卡号的持卡人都会收到邀请，接受后才算同伴。" in answers[0][1]
    assert "已邀请：对方接受后才算同伴" in answers[0][1]
    assert _without_booking_details(answers[0][1]) == _without_booking_details(answers[1][1])


async def _second(owner_id: int) -> int:
    from palace.models import Facility

    hall = await Facility.get(code="badminton")
    booking = await bookings.book(
        # Another hour: the owner cannot hold two courts at once (the clash rule).
        member_id=owner_id,
        resource_id=(await court(hall, 2)).id,
        starts_at=slot_at(hour=12),
    )
    return booking.id


def _without_booking_details(text: str) -> str:
    """The page without what differs between the two bookings (time, court, number)."""
    import re

    return re.sub(r"\d+", "N", text.replace("2号场", "1号场"))


async def test_partner_names_are_masked_everywhere(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = await make_member(name="钱多多")
    partner = await make_member(name="孙小美")
    booking_id = await _booking(owner.id)
    await partners.set_partners(
        member_id=owner.id, booking_id=booking_id, card_nos=[partner.card_no]
    )
    await partners.answer(member_id=partner.id, booking_id=booking_id, accept=True)
    ics = await calendars.booking_ics(member_id=owner.id, booking_id=booking_id, lang="zh-CN")
    assert "孙**" in ics and "孙小美" not in ics
    feed = await calendars.create_or_reset_feed(member_id=owner.id)
    in_feed = await calendars.feed_ics(token=feed.token, lang="zh-CN")
    assert "孙**" in in_feed and "孙小美" not in in_feed
    await log_in(client, owner)
    page = visible_text((await client.get(f"/bookings/{booking_id}")).text)
    assert "孙**" in page and "孙小美" not in page
    desk = httpx.AsyncClient(transport=client._transport, base_url=client.base_url)
    await log_in(desk, await make_member(role=Role.DESK))
    scanned = await post_form(
        desk, "/desk/scan", {"code": tickets.token_for(booking_id)}, page="/desk/scan"
    )
    shown = visible_text(scanned.text)
    assert "孙**" in shown and "孙小美" not in shown and "钱多多" in shown
    # The Now board, ten minutes before the start: who is expected.
    starts_at = (await Booking.get(id=booking_id)).starts_at
    monkeypatch.setattr(clock, "now", lambda: clock.utc(starts_at) - timedelta(minutes=10))
    board = visible_text((await desk.get("/desk/scan")).text)
    assert "孙**" in board and "孙小美" not in board and "钱多多" in board


MARKUP_BOOKER = "<i>李</i> 50%"
MARKUP_PARTNER = "<b>孙</b> 100%"


def _link(html: str, words: str) -> str:
    found = re.search(rf'<a href="([^"]+)">{words}</a>', html)
    assert found, words
    return found.group(1)


async def test_the_invitation_message_leads_to_a_page_to_answer(
    client: httpx.AsyncClient,
) -> None:
    owner = await make_member(name=MARKUP_BOOKER)
    partner = await make_member(name=MARKUP_PARTNER)
    booking_id = await _booking(owner.id)
    await partners.set_partners(
        member_id=owner.id, booking_id=booking_id, card_nos=[partner.card_no]
    )
    await log_in(client, partner)
    messages = (await client.get("/inbox")).text
    assert "&lt;i&gt;李&lt;/i&gt; 50%" in messages and "<i>李</i>" not in messages
    said = visible_text(messages)
    assert "同伴邀请" in said and "您有一条新消息" not in said
    assert "&lt;i&gt;李&lt;/i&gt; 50% 邀请您作为同伴一起打球：羽毛球馆 · 1号场，" in said
    link = _link(messages, "查看邀请")
    assert link == f"/bookings/{booking_id}/invitation"
    page = await client.get(link)
    assert page.status_code == 200
    shown = visible_text(page.text)
    assert "&lt;i&gt;李&lt;/i&gt; 50% 邀请您作为同伴：羽毛球馆 · 1号场" in shown
    assert "接受后您才会加入这个预约" in shown and "<i>李</i>" not in page.text
    answered = await post_form(client, link, {"answer": "accept"}, page=link)
    assert answered.headers["location"] == f"/bookings/{booking_id}"
    assert "您已接受这个邀请。" in visible_text((await client.get(link)).text)

    booker = httpx.AsyncClient(transport=client._transport, base_url=client.base_url)
    await log_in(booker, owner)
    messages = (await booker.get("/inbox")).text
    said = visible_text(messages)
    assert "同伴已接受 " in said and "孙" not in said and "<b>" not in messages
    assert f"&lt;**（卡号 {partner.card_no}）已接受您的邀请，成为这个预约的同伴：羽毛球馆" in said
    page = await booker.get(_link(messages, "查看预约"))
    assert page.status_code == 200
    assert f"&lt;** ({partner.card_no}) 已接受" in visible_text(page.text)


async def test_a_card_counts_only_once_accepted_and_an_open_one_can_be_withdrawn(
    client: httpx.AsyncClient,
) -> None:
    owner = await make_member(name="钱多多")
    partner = await make_member(name="孙小美")
    booking_id = await _booking(owner.id)
    await log_in(client, owner)
    path = f"/bookings/{booking_id}"
    saved = await post_form(client, f"{path}/partners", {"card": "99999999"}, page=path)
    page = visible_text((await client.get(saved.headers["location"])).text)
    assert "已保存。每个卡号的持卡人都会收到邀请，接受后才算同伴。" in page
    assert "同伴 还没有人接受邀请。 未接受的邀请 99999999 已邀请：对方接受后才算同伴 撤回" in page
    [invitation] = await partners.PartnerInvitation.filter(booking_id=booking_id)
    withdraw = f"{path}/invitations/{invitation.id}/withdraw"
    withdrawn = await post_form(client, withdraw, {}, page=path)
    assert withdrawn.headers["location"] == path
    page = visible_text((await client.get(path)).text)
    assert "邀请已撤回。" in page and "99999999" not in page
    again = await post_form(client, withdraw, {}, page=path)
    assert "这个邀请已失效。" in visible_text((await client.get(again.headers["location"])).text)

    await post_form(client, f"{path}/partners", {"card": partner.card_no}, page=path)
    await partners.answer(member_id=partner.id, booking_id=booking_id, accept=True)
    page = visible_text((await client.get(path)).text)
    assert f"孙** ({partner.card_no}) 已接受" in page and "孙小美" not in page
    assert "未接受的邀请" not in page

    other = httpx.AsyncClient(transport=client._transport, base_url=client.base_url)
    await log_in(other, partner)
    taken = await post_form(other, withdraw, {}, page="/bookings")
    assert taken.status_code == 404  # not their booking: as if there were none


async def test_a_withdrawn_invitation_says_so_on_its_page(client: httpx.AsyncClient) -> None:
    owner = await make_member()
    partner = await make_member(language="en")
    booking_id = await _booking(owner.id)
    [invitation] = await partners.set_partners(
        member_id=owner.id, booking_id=booking_id, card_nos=[partner.card_no]
    )
    await partners.withdraw(member_id=owner.id, booking_id=booking_id, invitation_id=invitation.id)
    await log_in(client, partner)
    link = _link((await client.get("/inbox")).text, "See the invitation")
    page = await client.get(link)
    assert page.status_code == 200
    assert "This invitation is no longer open." in visible_text(page.text)
    refused = await post_form(client, link, {"answer": "accept"}, page=link)
    assert refused.headers["location"] == "/bookings"
