"""The audit trail in words: the booking page's history and the staff audit page, with
filters by member, hall, kind and days; no raw code reaches a page in either language."""

import re
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from palace.catalog import ACTIONS, KINDS
from palace.models import AuditEvent, Role
from palace.services.accounts import admin
from palace.services.booking import bookings
from palace.services.core import clock
from palace.services.facilities import closures
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
from tests.web.test_rules import valid_form

SERVICES = Path(__file__).parents[2] / "palace" / "services"
RAW = ("partner_accepted", "pending", "accepted", "role_changed", "status_changed", "rules")


async def _partnered_booking(hall_code: str = "badminton") -> tuple[int, str]:
    hall = await make_hall(code=hall_code, partners_allowed=True)
    owner, partner = await make_member(name="吴东"), await make_member(name="郑西")
    booking = await bookings.book(
        member_id=owner.id, resource_id=(await court(hall)).id, starts_at=slot_at(days=2)
    )
    await add_partners(owner.id, booking.id, [partner])
    return booking.id, partner.card_no


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("zh-CN", ("邀请：{card}", "同伴接受了邀请", "卡号：{card}", "已邀请 → 已接受")),
        ("en", ("Invited: {card}", "Partner accepted the invitation", "Invited → Accepted")),
    ],
)
async def test_a_bookings_history_says_who_was_invited_and_what_they_answered(
    client: httpx.AsyncClient, language: str, words: tuple[str, ...]
) -> None:
    booking_id, card = await _partnered_booking()
    await log_in(client, await make_member(role=Role.STAFF, language=language))
    text = visible_text((await client.get(f"/staff/bookings/{booking_id}")).text)
    for said in words:
        assert said.format(card=card) in text, said
    # English words may be English; codes (snake_case, "pending") never are.
    raw_codes = RAW if language == "zh-CN" else ("partner_accepted", "pending")
    for raw in raw_codes:
        assert not re.search(rf"\b{raw}\b", text), raw


async def test_rule_closure_and_role_changes_are_on_the_audit_page_in_words(
    client: httpx.AsyncClient,
) -> None:
    hall = await make_hall()
    boss = await make_member(role=Role.ADMIN, name="管理员")
    member = await make_member(name="冯北")
    await log_in(client, boss)
    path = f"/staff/facilities/{hall.id}/rules"
    assert (await post_form(client, path, valid_form(days_ahead="3"), page=path)).status_code == 303
    start = clock.now() + timedelta(days=3)
    end = start + timedelta(hours=2)
    await closures.close(actor_id=boss.id, facility_id=hall.id, resource_id=None,
                         starts_at=start, ends_at=end, reason="省赛")  # fmt: skip
    asked = admin.Asked("role", "desk", "调到前台")
    await admin.apply(actor_id=boss.id, member_id=member.id, asked=asked)
    text = visible_text((await client.get("/staff/audit")).text)
    assert "修改了预约规则或开放时间" in text and "提前天数: 7 → 3" in text
    assert "闭馆 #" in text and "原因：省赛" in text
    assert "角色有变" in text and "会员 → 前台" in text and "原因：调到前台" in text
    for raw in RAW:
        assert not re.search(rf"\b{raw}\b", text), raw
    # Filters: by kind, by hall, by member, by days.
    kind = visible_text((await client.get("/staff/audit", params={"kind": "member"})).text)
    assert "角色有变" in kind and "修改了预约规则" not in kind
    by_hall = visible_text((await client.get("/staff/audit", params={"hall": hall.id})).text)
    assert "修改了预约规则" in by_hall and "原因：省赛" in by_hall and "角色有变" not in by_hall
    by_member = await client.get("/staff/audit", params={"member": member.card_no})
    shown = visible_text(by_member.text)
    assert "角色有变" in shown and "修改了预约规则" not in shown
    tomorrow = (clock.today() + timedelta(days=1)).isoformat()
    later = visible_text((await client.get("/staff/audit", params={"from": tomorrow})).text)
    assert "没有找到记录。" in later
    nobody = visible_text((await client.get("/staff/audit", params={"member": "Z9999999"})).text)
    assert "没有会员使用这个卡号或手机号。" in nobody and "没有找到记录。" in nobody


async def test_hostile_filters_are_not_an_error(client: httpx.AsyncClient) -> None:
    await log_in(client, await make_member(role=Role.STAFF))
    for params in ({"hall": "x"}, {"hall": "99999999999"}, {"kind": "<b>"}, {"from": "昨天"}):
        response = await client.get("/staff/audit", params=params)
        assert response.status_code == 200, params
        assert "<b>" not in response.text.split("<main")[1]


def test_every_action_a_service_records_has_words() -> None:
    source = "\n".join(p.read_text() for p in SERVICES.rglob("*.py"))
    recorded = set(re.findall(r'action="([a-z_]+)"', source))
    recorded |= set(re.findall(r'_audit\([^)]*?"([a-z_]+)"', source))
    recorded |= {f"partner_{s}" for s in ("accepted", "declined", "left")}
    recorded |= {f"session_{a}" for a in ("cancel", "close", "no_class_day", "drop")}
    keyed = {key[1] for key in ACTIONS if isinstance(key, tuple)}
    missing = sorted(a for a in recorded if a not in ACTIONS and a not in keyed)
    assert missing == []
    entities = set(re.findall(r'entity="([a-z_]+)"', source))
    assert entities <= set(KINDS)


async def test_only_staff_see_the_audit_page(client: httpx.AsyncClient) -> None:
    await log_in(client, await make_member())
    assert (await client.get("/staff/audit")).status_code == 403
    assert await AuditEvent.exists()
