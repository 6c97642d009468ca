"""Members are told before they tap: what a tap would refuse, what a tap would cost."""

import re
from datetime import timedelta

import httpx
import pytest

from palace.models import Member, MemberStatus
from palace.services import bookings, clock
from palace.services.timetable import CellState
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
    await bookings.cancel(member_id=me.id, booking_id=booking.id)
    page = (await client.get(f"/bookings/{booking.id}")).text
    assert "booking.ics" not in page and "加入我的日历" not in page
