"""A suspended member sees why and until when on their pages; staff waive a strike."""

from collections.abc import Callable
from datetime import datetime, timedelta

import httpx
import pytest

from palace.models import AuditEvent, Booking, Member, Resource, Role, Strike
from palace.services.booking import bookings
from palace.services.core import clock
from palace.services.desk import noshows
from tests.helpers import court, log_in, make_hall, make_member, post_form, slot_at, visible_text

Move = Callable[[datetime], None]


@pytest.fixture
def move_to(monkeypatch: pytest.MonkeyPatch) -> Move:
    def move(instant: datetime) -> None:
        monkeypatch.setattr(clock, "now", lambda: instant)

    return move


async def _suspended(move_to: Move) -> tuple[Member, list[Booking]]:
    hall = await make_hall(max_active=5)
    member = await make_member(name="赵强")
    missed = [
        await bookings.book(
            member_id=member.id, resource_id=(await court(hall)).id, starts_at=slot_at(days)
        )
        for days in (1, 2)
    ]
    move_to(slot_at(2) + timedelta(hours=1))
    assert await noshows.mark_no_shows() == 2
    return member, missed


async def test_a_suspended_member_sees_it_before_tapping_anything(
    client: httpx.AsyncClient, move_to: Move
) -> None:
    member, _ = await _suspended(move_to)
    await log_in(client, member)
    for path in ("/", "/bookings", "/book", "/book/badminton"):
        text = visible_text((await client.get(path)).text)
        assert "预约功能暂停至" in text and "2 次预约未签到" in text, path
    mine = visible_text((await client.get("/bookings")).text)
    assert "爽约" in mine  # the missed bookings show as no-shows
    inbox = visible_text((await client.get("/inbox")).text)
    assert "未签到，名额已释放，并记一次爽约" in inbox and "羽毛球馆 · 1号场" in inbox
    assert "预约功能暂停至" in inbox and "2 次预约未签到" in inbox
    resource = await Resource.get(facility__code="badminton", code="c1")
    start = int(slot_at(3).timestamp())
    refused = await post_form(
        client,
        "/book/badminton",
        {"resource": str(resource.id), "start": str(start)},
        page="/book/badminton",
    )
    assert refused.status_code == 303
    flashed = visible_text((await client.get(refused.headers["location"])).text)
    until = (clock.now() + timedelta(days=14)).astimezone(clock.zone())
    assert f"因预约后未到场（爽约），预约功能暂停至 {until.month}月{until.day}日" in flashed


async def test_staff_waive_a_strike_with_a_reason(client: httpx.AsyncClient, move_to: Move) -> None:
    member, missed = await _suspended(move_to)
    staff = await make_member(role=Role.STAFF)
    await log_in(client, staff)
    overview = await client.get("/staff/strikes")
    assert "赵强" in overview.text and f"/staff/members/{member.id}/strikes" in overview.text
    strike = await Strike.get(booking_id=missed[1].id)
    path = f"/staff/strikes/{strike.id}/waive"
    page = f"/staff/members/{member.id}/strikes"
    empty = await post_form(client, path, {"reason": " "}, page=page)
    assert empty.status_code == 303
    assert "请填写撤销违约的原因" in (await client.get(page)).text
    done = await post_form(client, path, {"reason": "场馆停电"}, page=page)
    assert done.status_code == 303
    after = visible_text((await client.get(page)).text)
    assert "已撤销违约记录" in after and "场馆停电" in after
    assert (await Member.get(id=member.id)).booking_suspended_until is None
    assert await AuditEvent.exists(
        entity_id=missed[1].id, action="strike_waived", actor_id=staff.id
    )
    assert (
        await post_form(client, "/staff/strikes/999999/waive", {"reason": "x"}, page=page)
    ).status_code == 404
