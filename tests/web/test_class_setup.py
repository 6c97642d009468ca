"""Staff add class types, instructors and the palace's own days without classes."""

from datetime import date, datetime

import httpx
import pytest

from palace.models import (
    Booking,
    BookingStatus,
    ClassSession,
    ClassType,
    Instructor,
    NoClassDay,
    Notification,
    Role,
    SessionStatus,
)
from palace.services.classes import class_sessions, classes
from palace.services.core import clock
from tests.class_helpers import freeze, make_schedule
from tests.helpers import log_in, make_member, post_form, visible_text

SETUP = "/staff/classes/setup"


@pytest.fixture(autouse=True)
def monday(monkeypatch: pytest.MonkeyPatch) -> None:
    freeze(monkeypatch, datetime(2026, 11, 23, 10, 0))


async def test_staff_add_a_class_type_and_an_instructor(client: httpx.AsyncClient) -> None:
    await log_in(client, await make_member(role=Role.STAFF))
    data = {"name_zh": "太极拳", "name_en": "Tai chi", "description": "二十四式",
            "level": "beginner", "for_children": ""}  # fmt: skip
    assert (await post_form(client, "/staff/classes/types", data, page=SETUP)).status_code == 303
    made = await ClassType.get(code="tai-chi")
    assert (made.name_zh, made.level, made.for_children) == ("太极拳", "beginner", False)
    response = await post_form(client, "/staff/classes/instructors", {"name": "王刚"}, page=SETUP)
    assert response.status_code == 303
    page = visible_text((await client.get(SETUP)).text)
    assert "太极拳 · 初级" in page and "王刚" in page
    bad = await post_form(client, "/staff/classes/types", {**data, "name_en": ""}, page=SETUP)
    assert bad.status_code == 400
    assert "请填写课程的中文和英文名称" in visible_text(bad.text)
    bad = await post_form(client, "/staff/classes/instructors", {"name": " "}, page=SETUP)
    assert bad.status_code == 400
    assert await ClassType.all().count() == 1 and await Instructor.all().count() == 1


async def test_a_day_without_classes_cancels_that_days_sessions_and_tells_why(
    client: httpx.AsyncClient,
) -> None:
    schedule = await make_schedule()
    evening = clock.at(date(2026, 11, 24), 19 * 60 + 30)
    tuesday = await ClassSession.get(schedule_id=schedule.id, starts_at=evening)
    member = await make_member()
    booking = await classes.book(member_id=member.id, session_id=tuesday.id)
    await log_in(client, await make_member(role=Role.STAFF))
    data = {"day": "2026-11-24", "reason": "全馆消防演练"}
    # First what it would do, as for a closure: nothing is cancelled yet.
    preview = await post_form(client, "/staff/classes/no-class-days", data, page=SETUP)
    assert preview.status_code == 200
    shown = visible_text(preview.text)
    assert 'id="confirm-no-class-day"' in preview.text
    assert "（1 个）" in shown and "已预约的 1 个名额" in shown and "19:30 瑜伽" in shown
    assert (await ClassSession.get(id=tuesday.id)).status == SessionStatus.SCHEDULED
    assert (await Booking.get(id=booking.id)).status == BookingStatus.CONFIRMED
    assert not await NoClassDay.exists()
    confirmed = {**data, "confirmed": "1"}
    response = await post_form(client, "/staff/classes/no-class-days", confirmed, page=SETUP)
    assert response.status_code == 303
    assert (await ClassSession.get(id=tuesday.id)).status == SessionStatus.CANCELLED
    assert (await Booking.get(id=booking.id)).status == BookingStatus.CANCELLED_BY_PALACE
    note = await Notification.exclude(kind="booked").get(member_id=member.id)
    assert note.detail["reason"] == "全馆消防演练"
    assert await ClassSession.filter(status=SessionStatus.SCHEDULED).count() == 3
    # The day stays without classes however often sessions are generated.
    await class_sessions.generate()
    on_tuesday = await ClassSession.filter(
        starts_at__gte=clock.at(date(2026, 11, 24), 0),
        starts_at__lt=clock.at(date(2026, 11, 25), 0),
    )
    assert [s.status for s in on_tuesday] == [SessionStatus.CANCELLED]
    for asked in (data, confirmed):
        again = await post_form(client, "/staff/classes/no-class-days", asked, page=SETUP)
        assert again.status_code == 400
    assert await NoClassDay.all().count() == 1


async def test_staff_correct_and_retire_a_class_type_and_an_instructor(
    client: httpx.AsyncClient,
) -> None:
    schedule = await make_schedule()
    yoga = await ClassType.get(id=schedule.class_type_id)
    chen = await Instructor.get(id=schedule.instructor_id)
    await log_in(client, await make_member(role=Role.STAFF))
    data = {"name_zh": "哈他瑜伽", "name_en": "Hatha yoga", "description": "舒展：呼吸与体式",
            "level": "beginner", "for_children": "", "active": ""}  # fmt: skip
    response = await post_form(client, f"/staff/classes/types/{yoga.id}", data, page=SETUP)
    assert response.status_code == 303
    yoga = await ClassType.get(id=yoga.id)
    assert (yoga.name_zh, yoga.level, yoga.active) == ("哈他瑜伽", "beginner", False)
    assert yoga.description_zh == "舒展：呼吸与体式"
    response = await post_form(client, f"/staff/classes/instructors/{chen.id}",
                               {"name": "陈静 老师", "active": ""}, page=SETUP)  # fmt: skip
    assert response.status_code == 303
    assert (await Instructor.get(id=chen.id)).active is False
    page = visible_text((await client.get(SETUP)).text)
    assert "哈他瑜伽 · 初级 · 已停用" in page and "陈静 老师 · 已停用" in page
    # Retired: not offered for a new schedule, nor in a member's wish list.
    form = visible_text((await client.get("/staff/classes/schedules/new")).text)
    assert "哈他瑜伽" not in form and "陈静 老师" not in form
    # Sessions already planned keep running under the corrected name.
    session = await ClassSession.filter(schedule_id=schedule.id).first()
    assert session is not None and session.status == SessionStatus.SCHEDULED
    # Bad input changes nothing and says why; an unknown row is a 404.
    bad = await post_form(client, f"/staff/classes/types/{yoga.id}",
                          {**data, "name_en": "", "active": "1"}, page=SETUP)  # fmt: skip
    assert bad.status_code == 400 and "请填写课程的中文和英文名称" in visible_text(bad.text)
    assert (await ClassType.get(id=yoga.id)).active is False
    missing = await post_form(client, "/staff/classes/instructors/999999",
                              {"name": "某人", "active": "1"}, page=SETUP)  # fmt: skip
    assert missing.status_code == 404
    member = await make_member()
    client.cookies.clear()
    await log_in(client, member)
    forbidden = await post_form(client, f"/staff/classes/types/{yoga.id}", data, page="/")
    assert forbidden.status_code in (403, 404)
