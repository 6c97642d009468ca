"""Attendance per hall and class, no-show rates, and a CSV that Excel opens in Chinese."""

from collections.abc import Callable
from datetime import datetime, timedelta

import httpx
import pytest

from palace.models import Role
from palace.services.booking import bookings, tickets
from palace.services.core import clock
from palace.services.desk import checkin, noshows
from tests.helpers import court, log_in, make_hall, make_member, slot_at, visible_text

Move = Callable[[datetime], None]


@pytest.fixture
def move_to(monkeypatch: pytest.MonkeyPatch) -> Move:
    def move(instant: datetime) -> None:
        monkeypatch.setattr(clock, "now", lambda: instant)

    return move


async def test_the_days_attendance_and_its_csv(client: httpx.AsyncClient, move_to: Move) -> None:
    hall = await make_hall()
    came, missed = await make_member(name="欧阳明"), await make_member(name="=HYPERLINK(1)")
    start = slot_at(1)
    first = await bookings.book(
        member_id=came.id, resource_id=(await court(hall, 1)).id, starts_at=start
    )
    await bookings.book(member_id=missed.id, resource_id=(await court(hall, 2)).id, starts_at=start)
    move_to(start)
    await checkin.by_code(actor_id=came.id, token=tickets.token_for(first.id), facility_id=None)
    move_to(start + timedelta(hours=2))
    await noshows.mark_no_shows()
    await log_in(client, await make_member(role=Role.STAFF))
    day = clock.local_day(start).isoformat()
    page = visible_text((await client.get("/staff/attendance", params={"day": day})).text)
    assert "合计 2 1 1 0" in page
    assert "=HYPERLINK(1)" in page and "100%" in page  # the rate of the member who missed
    response = await client.get("/staff/attendance.csv", params={"day": day})
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["content-disposition"]
    raw = response.content
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM that makes Excel read UTF-8
    lines = raw.decode("utf-8-sig").split("\r\n")
    assert lines[0].startswith("日期,时间,场馆,场地或教室,姓名,会员卡号,状态")
    assert "欧阳明" in lines[1] and ",已签到," in lines[1]
    assert "'=HYPERLINK(1)" in lines[2] and ",爽约," in lines[2]  # never a formula in Excel


async def test_classes_by_name_on_the_day_the_board_and_the_rates(
    client: httpx.AsyncClient, move_to: Move
) -> None:
    from palace.services.classes import classes
    from palace.services.desk import now_board
    from tests.class_helpers import plain_session

    session = await plain_session()
    came, missed = await make_member(name="甲"), await make_member(name="乙")
    for member in (came, missed):
        await classes.book(member_id=member.id, session_id=session.id)
    start = clock.utc(session.starts_at)
    move_to(start - timedelta(minutes=10))
    board = await now_board.board(facility_id=None)
    shown = [p.session for h in board.halls for row in h.rows for p in row.periods if p.session]
    assert [x.class_type.name_zh for x in shown] == ["瑜伽"]
    by_card = await checkin.by_card(actor_id=came.id, card=came.card_no, facility_id=None)
    assert by_card.code == "checked_in"
    move_to(start + timedelta(hours=2))
    assert await noshows.mark_no_shows() == 1
    await log_in(client, await make_member(role=Role.STAFF))
    day = clock.local_day(start).isoformat()
    page = visible_text((await client.get("/staff/attendance", params={"day": day})).text)
    weekday = "周一周二周三周四周五周六周日"[clock.local_day(start).weekday() * 2 :][:2]
    assert "瑜伽" in page and f"瑜伽 · {weekday} 19:30" in page and "50%" in page
