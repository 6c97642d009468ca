"""Members are told before they tap: what a tap would refuse, what a tap would cost."""

import re
from datetime import datetime, timedelta

import httpx
import pytest

from palace.models import ClassSession, Closure, Member, MemberStatus
from palace.services.booking import bookings, releases
from palace.services.booking.timetable import CellState
from palace.services.core import clock
from tests.class_helpers import freeze, make_schedule
from tests.helpers import court, log_in, make_hall, make_member, slot_at, visible_text


def _page(day: int = 1) -> str:
    return f"/book/badminton?day={(clock.today() + timedelta(days=day)).isoformat()}"


async def test_a_used_up_quota_is_said_and_free_cells_invite_no_tap(
    client: httpx.AsyncClient,
) -> None:
    hall = await make_hall(max_active=1)
    me = await make_member()
    await bookings.book(member_id=me.id, resource_id=(await court(hall)).id, starts_at=slot_at())
    await log_in(client, me)
    html = (await client.get(_page(2))).text
    assert "您在本场馆已有 1 个未结束的预约，已达上限" in visible_text(html)
    assert 'class="book"' not in html and "空闲" in visible_text(html)


async def test_a_suspended_member_is_told_on_the_timetable(client: httpx.AsyncClient) -> None:
    await make_hall()
    me = await make_member()
    await Member.filter(id=me.id).update(status=MemberStatus.SUSPENDED)
    await log_in(client, me)
    html = (await client.get(_page())).text
    assert "您的账户已被暂停预约" in visible_text(html)
    assert 'class="book"' not in html


async def test_booking_inside_the_cut_off_asks_first(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    at_nine = clock.at(clock.today(), 9 * 60)
    monkeypatch.setattr(clock, "now", lambda: at_nine)
    hall = await make_hall(cancel_cutoff_minutes=120)
    await log_in(client, await make_member())
    html = (await client.get(_page(0))).text
    c1 = (await court(hall)).id
    asks = {
        hour: 'hx-confirm="这个时段已在免费取消时限内'
        in _cell(html, c1, clock.at(clock.today(), hour * 60))
        for hour in (10, 11, 12)
    }
    assert asks == {10: True, 11: True, 12: False}  # 12:00 is 3 h away, past the 2 h cut-off


def _cell(html: str, resource: int, start: object) -> str:
    cell_id = f"cell-{resource}-{int(start.timestamp())}"  # type: ignore[attr-defined]
    return html[html.index(f'id="{cell_id}"') : html.index("</td>", html.index(f'id="{cell_id}"'))]


async def test_the_legend_explains_every_state(client: httpx.AsyncClient) -> None:
    await make_hall()
    await log_in(client, await make_member())
    html = (await client.get(_page())).text
    legend = html[html.index('id="legend"') :]
    for state in CellState:
        assert re.search(rf'<span class="cell {state.value}"', legend), state


async def test_a_cancelled_booking_offers_no_calendar_file(client: httpx.AsyncClient) -> None:
    hall = await make_hall()
    me = await make_member()
    booking = await bookings.book(
        member_id=me.id, resource_id=(await court(hall)).id, starts_at=slot_at()
    )
    await log_in(client, me)
    assert "booking.ics" in (await client.get(f"/bookings/{booking.id}")).text
    await releases.cancel(member_id=me.id, booking_id=booking.id)
    page = (await client.get(f"/bookings/{booking.id}")).text
    assert "booking.ics" not in page and "加入我的日历" not in page


async def test_a_no_show_suspension_says_until_when_on_the_timetable(
    client: httpx.AsyncClient,
) -> None:
    await make_hall()
    me = await make_member()
    until = clock.at(clock.today() + timedelta(days=14), 9 * 60)
    await Member.filter(id=me.id).update(booking_suspended_until=until)
    await log_in(client, me)
    html = (await client.get(_page())).text
    blocked = visible_text(
        html[html.index('id="blocked"') : html.index("</p>", html.index('id="blocked"'))]
    )
    local = until.astimezone(clock.zone())
    assert f"预约功能暂停至 {local.month}月{local.day}日" in blocked
    assert 'class="book"' not in html


async def _class_week(client: httpx.AsyncClient, **values: str) -> tuple[str, list[int]]:
    schedule = await make_schedule(**values)
    sessions = await ClassSession.filter(schedule_id=schedule.id).order_by("starts_at")
    return (await client.get("/classes")).text, [s.id for s in sessions]


def _session(html: str, session_id: int) -> str:
    start = html.index(f'id="session-{session_id}"')
    return html[start : html.index("</article>", start)]


async def test_a_suspended_member_is_told_on_the_classes_page(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze(monkeypatch, datetime(2026, 11, 23, 10, 0))  # a Monday; classes Tue and Thu
    me = await make_member()
    await Member.filter(id=me.id).update(status=MemberStatus.SUSPENDED)
    await log_in(client, me)
    html, sessions = await _class_week(client)
    assert "您的账户已被暂停预约" in visible_text(html)
    assert 'class="book"' not in html and "剩 20 位" in visible_text(_session(html, sessions[0]))


async def test_taking_a_class_place_inside_the_cut_off_asks_first(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze(monkeypatch, datetime(2026, 11, 23, 10, 0))  # Tue 19:30 is 33.5 h away, Thu 81.5 h
    await log_in(client, await make_member())
    html, sessions = await _class_week(client, cutoff_hours="48")
    tuesday, thursday = (_session(html, s) for s in sessions[:2])
    assert 'class="book"' in tuesday and 'class="book"' in thursday
    asks = 'hx-confirm="这个时段已在免费取消时限内'
    assert (asks in tuesday, asks in thursday) == (True, False)


async def test_a_day_without_a_free_slot_does_not_invite_a_tap(client: httpx.AsyncClient) -> None:
    hall = await make_hall(courts=1)
    await log_in(client, await make_member())
    assert "点击空闲时段即可预约。" in visible_text((await client.get(_page())).text)
    start, end = clock.day_bounds(clock.today() + timedelta(days=1))
    await Closure.create(facility=hall, starts_at=start, ends_at=end, reason="全天比赛")
    legend = visible_text((await client.get(_page())).text).split("已关闭")[-1]
    assert "点击空闲时段即可预约。" not in legend
    assert "这一天已没有空闲时段，请选择其他日期。" in legend
