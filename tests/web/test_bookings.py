"""Member booking pages over HTTP: the timetable, one-tap booking, bad input, cancelling."""

import re
from datetime import timedelta

import httpx
import pytest

from palace.models import Booking, BookingStatus, Closure, Member, MemberStatus, Slot
from palace.services.booking import bookings, tickets
from palace.services.core import clock
from tests.helpers import (
    add_partners,
    court,
    log_in,
    make_hall,
    make_member,
    post_form,
    slot_at,
    visible_text,
)

HTMX = {"HX-Request": "true"}


async def _book(
    client: httpx.AsyncClient, resource: int | str, start: object, *, htmx: bool = True
) -> httpx.Response:
    page = "/book/badminton"
    token = re.search(r'name="csrf-token" content="([^"]+)"', (await client.get(page)).text)
    assert token
    headers = {"Origin": str(client.base_url).rstrip("/"), **(HTMX if htmx else {})}
    data = {"resource": str(resource), "start": str(start), "csrf_token": token.group(1)}
    return await client.post("/book/badminton", data=data, headers=headers)


def _epoch(days: int = 1, hour: int = 10) -> int:
    return int(slot_at(days, hour).timestamp())


async def _logged_in(client: httpx.AsyncClient, language: str = "zh-CN") -> Member:
    member = await make_member(language=language)
    await log_in(client, member)
    return member


async def _unchanged() -> None:
    assert await Booking.all().count() == 0
    assert all(s.taken == 0 for s in await Slot.all())


async def test_halls_list_shows_what_is_free_today(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    at_ten = clock.at(clock.today(), 10 * 60)  # late at night nothing is left today
    monkeypatch.setattr(clock, "now", lambda: at_ten)
    await make_hall()
    await _logged_in(client)
    page = visible_text((await client.get("/book")).text)
    assert "羽毛球馆" in page
    assert "今天还有 26 个空闲时段" in page  # 11:00 to 23:00 on each of two courts


def _row_of(html: str, cell_id: str) -> list[str]:
    at = html.index(f'id="{cell_id}"')
    row = html[html.rindex("<tr", 0, at) : html.index("</tr>", at)]
    return [visible_text(td) for td in re.findall(r"(?s)<td.*?</td>", row)]


async def test_timetable_shows_free_mine_taken_closed(client: httpx.AsyncClient) -> None:
    hall = await make_hall(courts=4)
    me = await _logged_in(client)
    other = await make_member()
    c1, c2, c3 = [await court(hall, n) for n in (1, 2, 3)]
    await bookings.book(member_id=me.id, resource_id=c1.id, starts_at=slot_at())
    await bookings.book(member_id=other.id, resource_id=c2.id, starts_at=slot_at())
    await Closure.create(
        facility=hall, resource=c3, starts_at=slot_at(), ends_at=slot_at(hour=11), reason="维修"
    )
    day = (clock.today() + timedelta(days=1)).isoformat()
    html = (await client.get(f"/book/badminton?day={day}")).text
    assert _row_of(html, f"cell-{c1.id}-{_epoch()}") == [
        "我的",
        "已约 候补",
        "关闭 维修",
        "空闲",
    ]  # the reason opens on a tap


async def test_a_day_not_yet_open_says_when_it_opens(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    today = clock.today()
    monkeypatch.setattr(clock, "now", lambda: clock.at(today, 7 * 60))  # 07:00 local
    hall = await make_hall(days_ahead=7, opens_minute=8 * 60)
    await _logged_in(client)
    last = today + timedelta(days=7)
    html = (await client.get(f"/book/badminton?day={last.isoformat()}")).text
    start = int(clock.at(last, 10 * 60).timestamp())
    assert _row_of(html, f"cell-{(await court(hall)).id}-{start}")[0] == "未开放"
    assert re.search(r"这一天的预约将于 \d+月\d+日周. 08:00 开放", visible_text(html))


async def test_a_day_beyond_the_window_is_refused_with_a_message(
    client: httpx.AsyncClient,
) -> None:
    await make_hall()
    await _logged_in(client)
    day = (clock.today() + timedelta(days=30)).isoformat()
    response = await client.get(f"/book/badminton?day={day}", follow_redirects=True)
    assert "可查看的日期为" in visible_text(response.text)
    for bad in ["2026-02-30", "x", "2026-11-25zzz", "9999-12-31"]:
        response = await client.get(f"/book/badminton?day={bad}", follow_redirects=True)
        assert response.status_code == 200, bad
        assert "请按“年-月-日”格式输入日期" in visible_text(response.text), bad
    assert (await client.get("/book/nowhere")).status_code == 404


async def test_one_tap_swaps_the_cell_and_the_quota(client: httpx.AsyncClient) -> None:
    hall = await make_hall()
    me = await _logged_in(client)
    resource = await court(hall)
    response = await _book(client, resource.id, _epoch())
    assert response.status_code == 200
    assert response.text.lstrip().startswith(f'<td id="cell-{resource.id}-{_epoch()}"')
    assert 'class="cell mine"' in response.text
    assert '<hx-partial hx-target="#quota"' in response.text
    assert "您在本场馆的预约：1 / 2" in response.text
    assert "预约成功：1号场" in visible_text(response.text)
    booking = await Booking.get(member_id=me.id)
    assert booking.status == BookingStatus.CONFIRMED


async def test_just_taken_is_a_clear_409_and_nothing_changes(client: httpx.AsyncClient) -> None:
    hall = await make_hall()
    resource = await court(hall)
    first = await make_member()
    await bookings.book(member_id=first.id, resource_id=resource.id, starts_at=slot_at())
    me = await _logged_in(client)
    response = await _book(client, resource.id, _epoch())
    assert response.status_code == 409
    assert "抱歉，这个名额刚刚被约走了" in visible_text(response.text)
    assert 'class="cell taken"' in response.text
    assert await Booking.filter(member_id=me.id).count() == 0
    assert (await Slot.get(resource_id=resource.id)).taken == 1


async def test_english_member_gets_english_messages(client: httpx.AsyncClient) -> None:
    hall = await make_hall()
    resource = await court(hall)
    await bookings.book(
        member_id=(await make_member()).id, resource_id=resource.id, starts_at=slot_at()
    )
    await _logged_in(client, language="en")
    response = await _book(client, resource.id, _epoch())
    assert "Sorry, that place was just taken." in response.text


async def test_bad_slots_get_a_message_and_change_nothing(client: httpx.AsyncClient) -> None:
    hall = await make_hall(courts=2)
    c1, c2 = await court(hall, 1), await court(hall, 2)
    await Closure.create(
        facility=hall, resource=c2, starts_at=slot_at(), ends_at=slot_at(hour=12), reason="比赛"
    )
    await _logged_in(client)
    cases = [
        ("99999", _epoch(), 400, "这个时间不是本场馆的可预约时段"),  # unknown court
        (c1.id, "not-a-time", 400, "这个时间不是本场馆的可预约时段"),
        (c1.id, _epoch() + 1800, 400, "这个时间不是本场馆的可预约时段"),  # off the grid
        (c1.id, _epoch(days=-1), 409, "这个时段已经开始"),  # past
        (c2.id, _epoch(), 409, "该场地在这个时段关闭"),  # closed
        (c1.id, _epoch(days=10), 409, "该日的预约将于"),  # not yet open
        (c1.id, "999999999999", 400, "这个时间不是本场馆的可预约时段"),  # year 33658
        (c1.id, "253402300000", 400, "这个时间不是本场馆的可预约时段"),  # past year 9999
    ]
    for resource, start, status, text in cases:
        response = await _book(client, resource, start)
        assert response.status_code == status, (resource, start)
        assert text in visible_text(response.text), (resource, start)
    await _unchanged()


async def test_without_javascript_the_page_comes_back_with_the_message(
    client: httpx.AsyncClient,
) -> None:
    hall = await make_hall()
    await _logged_in(client)
    response = await _book(client, (await court(hall)).id, _epoch(days=-1), htmx=False)
    assert response.status_code == 303
    page = await client.get(response.headers["location"])
    assert "这个时段已经开始" in visible_text(page.text)
    await _unchanged()


async def test_over_quota_and_suspended_members_are_told_why(client: httpx.AsyncClient) -> None:
    hall = await make_hall(courts=3, max_active=1)
    me = await _logged_in(client)
    c1, c2 = await court(hall, 1), await court(hall, 2)
    assert (await _book(client, c1.id, _epoch())).status_code == 200
    response = await _book(client, c2.id, _epoch(days=2))
    assert response.status_code == 400
    assert "您在本场馆已有 1 个未结束的预约，已达上限" in visible_text(response.text)
    assert await Booking.filter(member_id=me.id).count() == 1
    await Member.filter(id=me.id).update(status=MemberStatus.SUSPENDED)
    response = await _book(client, c2.id, _epoch(days=2))
    assert "您的账户已被暂停预约" in visible_text(response.text)
    assert await Booking.filter(member_id=me.id).count() == 1


async def test_booking_page_has_a_signed_qr_code(client: httpx.AsyncClient) -> None:
    hall = await make_hall()
    me = await _logged_in(client)
    booking = await bookings.book(
        member_id=me.id, resource_id=(await court(hall)).id, starts_at=slot_at()
    )
    html = (await client.get(f"/bookings/{booking.id}")).text
    assert '<figure class="ticket" id="ticket">' in html and "<svg" in html
    mine = visible_text((await client.get("/bookings")).text)
    assert "即将到来" in mine and "1号场" in mine


async def test_someone_elses_booking_is_not_found_and_stays(client: httpx.AsyncClient) -> None:
    hall = await make_hall()
    owner = await make_member()
    booking = await bookings.book(
        member_id=owner.id, resource_id=(await court(hall)).id, starts_at=slot_at()
    )
    await _logged_in(client)
    assert (await client.get(f"/bookings/{booking.id}")).status_code == 404
    response = await post_form(client, f"/bookings/{booking.id}/cancel", {}, page="/bookings")
    assert response.status_code == 404
    assert "找不到" in visible_text(response.text) or "不存在" in visible_text(response.text)
    assert (await Booking.get(id=booking.id)).status == BookingStatus.CONFIRMED
    assert (await client.get("/bookings/abc")).status_code == 404


async def test_cancel_from_the_booking_page(client: httpx.AsyncClient) -> None:
    hall = await make_hall()
    me = await _logged_in(client)
    booking = await bookings.book(
        member_id=me.id, resource_id=(await court(hall)).id, starts_at=slot_at()
    )
    response = await post_form(client, f"/bookings/{booking.id}/cancel", {}, page="/bookings")
    assert response.status_code == 303
    page = visible_text((await client.get("/bookings")).text)
    assert "已取消，名额已释放给其他会员。" in page
    assert (await Booking.get(id=booking.id)).status == BookingStatus.CANCELLED
    again = await post_form(client, f"/bookings/{booking.id}/cancel", {}, page="/bookings")
    follow = await client.get(again.headers["location"])
    assert "这个预约已经取消" in visible_text(follow.text)


async def test_partner_card_numbers_are_checked(client: httpx.AsyncClient) -> None:
    hall = await make_hall(partners_allowed=True)
    me = await _logged_in(client)
    partner = await make_member()
    booking = await bookings.book(
        member_id=me.id, resource_id=(await court(hall)).id, starts_at=slot_at()
    )
    path = f"/bookings/{booking.id}/partners"
    response = await post_form(client, path, {"card": "ZZ-99 #1"}, page="/bookings")
    assert response.status_code == 400
    assert "ZZ99#1 不是有效的卡号" in visible_text(response.text)
    assert 'value="ZZ-99 #1"' in response.text  # what was typed stays
    assert await booking.invitations.all().count() == 0
    response = await post_form(client, path, {"card": partner.card_no}, page="/bookings")
    assert response.status_code == 303
    assert [i.member_id for i in await booking.invitations.all()] == [partner.id]
    assert await booking.partners.all().count() == 0  # until they accept


async def test_a_forged_code_is_refused_at_the_desk(client: httpx.AsyncClient) -> None:
    from palace.models import Role

    hall = await make_hall()
    member = await make_member(name="赵敏")
    booking = await bookings.book(
        member_id=member.id, resource_id=(await court(hall)).id, starts_at=slot_at()
    )
    await log_in(client, await make_member(role=Role.DESK))
    good = await client.get("/desk/scan", params={"code": tickets.token_for(booking.id)})
    assert good.status_code == 200 and "赵敏" in visible_text(good.text)
    token = tickets.token_for(booking.id)
    for forged in [str(booking.id), token[:-2] + "xx", token.replace(token[0], "9", 1), "'; --"]:
        response = await client.get("/desk/scan", params={"code": forged})
        assert response.status_code == 400, forged
        assert "这不是有效的文化宫预约码" in visible_text(response.text)
        assert "赵敏" not in visible_text(response.text)
    assert (await Booking.get(id=booking.id)).status == BookingStatus.CONFIRMED


async def test_an_unknown_slot_says_so_in_the_message_area(client: httpx.AsyncClient) -> None:
    await make_hall()
    await _logged_in(client)
    response = await _book(client, "99999", _epoch())
    assert response.headers["hx-reswap"] == "none"
    assert response.text.lstrip().startswith('<hx-partial hx-target="#booking-message"')
    assert "这个时间不是本场馆的可预约时段" in visible_text(response.text)


async def test_a_partner_sees_the_court_as_theirs(client: httpx.AsyncClient) -> None:
    hall = await make_hall(partners_allowed=True)
    owner = await make_member(name="钱多多")
    me = await _logged_in(client)
    resource = await court(hall)
    booking = await bookings.book(member_id=owner.id, resource_id=resource.id, starts_at=slot_at())
    await add_partners(owner.id, booking.id, [me])
    day = (clock.today() + timedelta(days=1)).isoformat()
    html = (await client.get(f"/book/badminton?day={day}")).text
    assert _row_of(html, f"cell-{resource.id}-{_epoch()}")[0] == "我的"
    page = visible_text((await client.get(f"/bookings/{booking.id}")).text)
    assert "钱多多" in page


async def test_the_desk_sees_an_old_code_as_over(client: httpx.AsyncClient) -> None:
    from palace.models import Role

    hall = await make_hall()
    member = await make_member()
    booking = await bookings.book(
        member_id=member.id, resource_id=(await court(hall)).id, starts_at=slot_at()
    )
    now = clock.now()
    await Booking.filter(id=booking.id).update(
        starts_at=now - timedelta(days=1, hours=1), ends_at=now - timedelta(days=1)
    )
    await log_in(client, await make_member(role=Role.DESK))
    response = await client.get("/desk/scan", params={"code": tickets.token_for(booking.id)})
    assert "已结束" in visible_text(response.text)
    assert "已确认" not in visible_text(response.text)
