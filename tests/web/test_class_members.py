"""Members add their children on My account and say which class they want."""

import re
from datetime import datetime

import httpx
import pytest

from palace.models import AuditEvent, Child, ClassDemand, ClassSession, ClassType, Role
from palace.services.classes import class_demand, class_planning, classes
from tests.class_helpers import freeze, make_class_type, make_schedule
from tests.helpers import log_in, make_member, post_form, visible_text


@pytest.fixture(autouse=True)
def monday(monkeypatch: pytest.MonkeyPatch) -> None:
    freeze(monkeypatch, datetime(2026, 11, 23, 10, 0))


async def test_a_member_adds_and_removes_a_child(client: httpx.AsyncClient) -> None:
    member = await make_member()
    await log_in(client, member)
    data = {"child_name": "  小明 ", "birth_year": "２０１８"}  # full-width digits too
    response = await post_form(client, "/account/children", data, page="/account")
    assert response.status_code == 303
    child = await Child.get(parent_id=member.id)
    assert (child.name, child.birth_year) == ("小明", 2018)
    page = visible_text((await client.get("/account")).text)
    assert "小明 · 2018 年出生" in page
    response = await post_form(client, f"/account/children/{child.id}/delete", {}, page="/account")
    assert response.status_code == 303
    assert not (await Child.get(id=child.id)).active
    assert await AuditEvent.filter(entity="child", entity_id=child.id).count() == 2


@pytest.mark.parametrize(
    ("name", "year", "text"),
    [
        ("", "2018", "请填写孩子的姓名（1 到 40 个字）。"),
        ("小明" * 21, "2018", "请填写孩子的姓名（1 到 40 个字）。"),
        ("小明", "18", "请填写四位数的出生年份，例如 2018。"),
        ("小明", "1990", "请填写四位数的出生年份，例如 2018。"),
        ("小明", "2030", "请填写四位数的出生年份，例如 2018。"),
    ],
)
async def test_bad_child_details_get_a_message_and_change_nothing(
    client: httpx.AsyncClient, name: str, year: str, text: str
) -> None:
    await log_in(client, await make_member())
    data = {"child_name": name, "birth_year": year}
    response = await post_form(client, "/account/children", data, page="/account")
    assert response.status_code == 400
    assert text in visible_text(response.text)
    assert await Child.all().count() == 0


async def test_someone_elses_child_cannot_be_removed(client: httpx.AsyncClient) -> None:
    child = await Child.create(parent_id=(await make_member()).id, name="别人", birth_year=2017)
    await log_in(client, await make_member())
    response = await post_form(client, f"/account/children/{child.id}/delete", {}, page="/account")
    assert response.status_code == 404
    assert (await Child.get(id=child.id)).active


async def test_a_member_says_which_class_they_want_and_staff_see_the_count(
    client: httpx.AsyncClient,
) -> None:
    yoga = await make_class_type()
    member = await make_member()
    await log_in(client, member)
    data = {"class_type_id": str(yoga.id), "days": ["1", "3"], "day_part": "evening"}
    response = await post_form(client, "/classes/want", data, page="/classes/want")  # type: ignore[dict-item]
    assert response.status_code == 303
    assert "瑜伽 · 周二 周四 · 晚上" in visible_text((await client.get("/classes/want")).text)
    # Asking again updates the wish instead of counting twice.
    data["day_part"] = "morning"
    await post_form(client, "/classes/want", data, page="/classes/want")  # type: ignore[arg-type]
    await class_demand.want(member_id=(await make_member()).id, class_type_id=yoga.id,
                            days=[], day_part="morning")  # fmt: skip
    assert await ClassDemand.all().count() == 2
    rows = await class_planning.demand()
    assert rows[0].wanted == {"morning": 2, "afternoon": 0, "evening": 0}
    client.cookies.clear()
    await log_in(client, await make_member(role=Role.STAFF))
    page = visible_text((await client.get("/staff/classes")).text)
    assert "瑜伽 2 人想上 暂无课程 0 人想上 暂无课程 0 人想上 暂无课程" in page


async def test_staff_see_demand_beside_how_full_sessions_run_at_that_time_of_day(
    client: httpx.AsyncClient,
) -> None:
    schedule = await make_schedule(start="19:30", capacity="2")
    session = await ClassSession.filter(schedule_id=schedule.id).order_by("starts_at").first()
    assert session is not None
    await classes.book(member_id=(await make_member()).id, session_id=session.id)
    yoga = await ClassType.get(id=schedule.class_type_id)
    for part in ("morning", "morning", "evening"):
        await class_demand.want(member_id=(await make_member()).id, class_type_id=yoga.id,
                                days=["5"], day_part=part)  # fmt: skip
    await log_in(client, await make_member(role=Role.STAFF))
    page = (await client.get("/staff/classes")).text
    row = re.search(r'id="demand".*?<tr>\s*<td>瑜伽</td>.*?</tr>', page, re.S)
    assert row
    sessions = await ClassSession.filter(schedule_id=schedule.id).count()
    fill = round(100 * 1 / (2 * sessions))
    assert visible_text(row.group(0)).endswith(
        f"瑜伽 2 人想上 暂无课程 0 人想上 暂无课程 1 人想上 {sessions} 节课 · 满员率 {fill}%"
    )


async def test_a_wish_without_a_class_or_time_is_refused(client: httpx.AsyncClient) -> None:
    await log_in(client, await make_member())
    for data in ({"class_type_id": "999", "day_part": "evening"}, {"day_part": "noon"}, {}):
        response = await post_form(client, "/classes/want", data, page="/classes/want")
        assert response.status_code == 400
        assert "请选择课程和时段。" in visible_text(response.text)
    assert await ClassDemand.all().count() == 0
