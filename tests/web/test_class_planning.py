"""Staff plan classes over HTTP: schedules with conflicts named, sessions, rosters, warnings."""

import re
from datetime import date, datetime, timedelta

import httpx
import pytest

from palace.models import (
    AuditEvent,
    Booking,
    BookingStatus,
    Child,
    ClassSession,
    ClassType,
    Closure,
    Facility,
    HolidayYear,
    Instructor,
    Member,
    Notification,
    Resource,
    Role,
    Schedule,
    SessionStatus,
    Slot,
)
from palace.services.booking import bookings, releases
from palace.services.classes import class_sessions, classes
from palace.services.core import clock
from palace.services.waitlist import waitlists
from tests.class_helpers import (
    form,
    freeze,
    make_class_type,
    make_instructor,
    make_room,
    make_schedule,
)
from tests.helpers import log_in, make_member, visible_text


async def _staff(client: httpx.AsyncClient, language: str = "zh-CN") -> None:
    await log_in(client, await make_member(role=Role.STAFF, language=language))


async def _post(client: httpx.AsyncClient, path: str, data: dict[str, object]) -> httpx.Response:
    fields = {k: [str(v) for v in value] if isinstance(value, list) else str(value)
              for k, value in data.items()}  # fmt: skip
    token = (await client.get("/staff")).text.split('name="csrf-token" content="')[1].split('"')[0]
    headers = {"Origin": str(client.base_url).rstrip("/")}
    return await client.post(path, data={**fields, "csrf_token": token}, headers=headers)


@pytest.fixture
def monday(monkeypatch: pytest.MonkeyPatch) -> None:
    freeze(monkeypatch, datetime(2026, 11, 23, 10, 0))


async def _yoga_form(**values: object) -> dict[str, object]:
    room = values.pop("room", None) or await make_room()
    return form(await make_class_type(), room, await make_instructor(), **values)  # type: ignore[arg-type]


async def test_on_a_sunday_the_planner_opens_on_the_week_members_see(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze(monkeypatch, datetime(2026, 11, 23, 10, 0))
    await make_schedule()  # Tuesdays and Thursdays
    freeze(monkeypatch, datetime(2026, 11, 29, 10, 0))  # a Sunday: no class left this week
    member = await make_member()
    assert (await classes.week(member_id=member.id)).first == date(2026, 11, 30)
    await _staff(client)
    page = (await client.get("/staff/classes")).text
    assert "?week=2026-11-23" in page and "?week=2026-12-07" in page  # around 30 November
    assert "12月1日周二" in visible_text(page)


@pytest.mark.usefixtures("monday")
async def test_staff_create_a_weekly_class_and_see_it_in_the_week(
    client: httpx.AsyncClient,
) -> None:
    await _staff(client)
    response = await _post(client, "/staff/classes/schedules", await _yoga_form())
    assert response.status_code == 303, visible_text(response.text)
    assert await ClassSession.all().count() == 4
    page = visible_text((await client.get("/staff/classes")).text)
    assert "已保存。已生成未来几周的课次：4。" in page
    assert "19:30 瑜伽 陈静 · 0/20" in page


@pytest.mark.usefixtures("monday")
async def test_a_schedule_over_a_room_booking_is_refused_naming_it(
    client: httpx.AsyncClient,
) -> None:
    room = await make_room(bookable=True)
    member = await make_member()
    await bookings.book(member_id=member.id, resource_id=room.id,
                        starts_at=clock.at(date(2026, 11, 26), 19 * 60))  # fmt: skip
    await _staff(client)
    response = await _post(client, "/staff/classes/schedules", await _yoga_form(room=room))
    assert response.status_code == 400
    page = visible_text(response.text)
    assert "教室在 11月26日周四 19:30 已被场地预约占用。" in page
    assert "勾选" not in page  # a hard conflict: no way to skip it
    assert await Schedule.all().count() == 0


@pytest.mark.usefixtures("monday")
async def test_a_schedule_over_another_class_or_its_instructor_is_refused(
    client: httpx.AsyncClient,
) -> None:
    room = await make_room()
    taichi = await make_class_type(code="taichi", name_zh="太极拳", name_en="Tai chi")
    teacher = await make_instructor("王刚")
    await make_schedule(room, class_type=taichi, instructor=teacher, days=(3,), start="20:00")
    await _staff(client)
    response = await _post(client, "/staff/classes/schedules", await _yoga_form(room=room))
    assert response.status_code == 400
    assert "本课程在 11月26日周四 19:30 上课时，教室已有其他课程：太极拳。" in visible_text(
        response.text
    )
    other_room = await make_room(code="studio2")
    values = form(await make_class_type(code="aero", name_zh="健身操", name_en="Aerobics"),
                  other_room, teacher)  # fmt: skip
    response = await _post(client, "/staff/classes/schedules", values)
    assert response.status_code == 400
    assert "本课程在 11月26日周四 19:30 上课时，王刚 另有课程：太极拳。" in visible_text(
        response.text
    )
    assert await Schedule.all().count() == 1


@pytest.mark.usefixtures("monday")
async def test_a_closure_is_named_and_its_days_skipped_only_when_staff_agree(
    client: httpx.AsyncClient,
) -> None:
    room = await make_room()
    await Closure.create(facility_id=room.facility_id, starts_at=clock.at(date(2026, 12, 1), 0),
                         ends_at=clock.at(date(2026, 12, 2), 0), reason="职工运动会")  # fmt: skip
    await _staff(client)
    values = await _yoga_form(room=room)
    response = await _post(client, "/staff/classes/schedules", values)
    assert response.status_code == 400
    page = visible_text(response.text)
    assert "教室在 12月1日周二 19:30 关闭：职工运动会。" in page
    assert "这些日期不上课，保存" in page
    response = await _post(client, "/staff/classes/schedules", {**values, "skip_days": "1"})
    assert response.status_code == 303
    days = [clock.local_day(s.starts_at) for s in await ClassSession.all()]
    assert date(2026, 12, 1) not in days and date(2026, 12, 3) in days


async def test_a_holiday_is_named_and_an_unknown_year_warned(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze(monkeypatch, datetime(2026, 4, 27, 10, 0))
    await _staff(client)
    values = await _yoga_form(term_end=date(2026, 5, 31))
    response = await _post(client, "/staff/classes/schedules", values)
    assert response.status_code == 400
    assert "5月5日周二 是法定节假日（劳动节），当天不上课。" in visible_text(response.text)
    assert (await _post(client, "/staff/classes/schedules", {**values, "skip_days": "1"})
            ).status_code == 303  # fmt: skip
    page = visible_text((await client.get("/staff/classes")).text)
    assert "尚未公布" not in page
    # A term reaching 2027, which the holiday data does not cover yet: staff are warned.
    freeze(monkeypatch, datetime(2026, 11, 23, 10, 0))
    later = await _yoga_form(room=await make_room(code="studio2"), term_end=date(2027, 3, 31))
    assert (await _post(client, "/staff/classes/schedules", later)).status_code == 303
    warning = visible_text((await client.get("/staff/classes")).text)
    assert "2027 年的法定节假日和调休上班日尚未公布" in warning
    assert "2027 年不会安排任何课次" in warning


async def test_no_class_meets_in_an_unknown_year_until_staff_confirm_it(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze(monkeypatch, datetime(2026, 12, 21, 10, 0))  # four weeks ahead reach January
    await _staff(client)
    values = await _yoga_form(term_end=date(2027, 3, 31))
    assert (await _post(client, "/staff/classes/schedules", values)).status_code == 303
    await class_sessions.generate()
    days = [clock.local_day(s.starts_at) for s in await ClassSession.all()]
    assert days and max(days) < date(2027, 1, 1)  # nothing guessed in 2027
    assert "不会安排任何课次" in visible_text((await client.get("/staff/classes")).text)

    # Staff enter a 2027 holiday themselves, then let classes meet in 2027.
    response = await _post(
        client,
        "/staff/classes/no-class-days",
        {"day": "2027-01-05", "reason": "元旦调休", "confirmed": "1"},
    )
    assert response.status_code == 303
    response = await _post(client, "/staff/classes/holiday-years", {"year": "2027"})
    assert response.status_code == 303
    page = visible_text((await client.get("/staff/classes")).text)
    assert "2027 年现在可以上课了" in page and "不会安排任何课次" not in page
    days = [clock.local_day(s.starts_at) for s in await ClassSession.all()]
    assert date(2027, 1, 7) in days and date(2027, 1, 5) not in days
    assert await AuditEvent.exists(entity="holiday_year", entity_id=2027, action="confirm")

    for year, said in [
        ("2027", "2027 年的课程已经确认过了"),
        ("2026", "2026 年不是等待节假日安排的年份"),
        ("abc", "只能确认节假日数据之后的年份"),
    ]:
        response = await _post(client, "/staff/classes/holiday-years", {"year": year})
        assert response.status_code == 303
        assert said in visible_text((await client.get("/staff/classes")).text)
    assert await HolidayYear.all().count() == 1


async def _booked_session(capacity: str = "20") -> tuple[ClassSession, Booking]:
    schedule = await make_schedule(capacity=capacity)
    session = await ClassSession.filter(schedule_id=schedule.id).order_by("starts_at").first()
    assert session is not None
    member = await make_member(name="赵丽")
    booking = await classes.book(member_id=member.id, session_id=session.id)
    return session, booking


@pytest.mark.usefixtures("monday")
async def test_cancelling_a_session_tells_its_members_the_reason(client: httpx.AsyncClient) -> None:
    session, booking = await _booked_session()
    await _staff(client)
    path = f"/staff/classes/sessions/{session.id}/cancel"
    response = await _post(client, path, {"reason": "  "})
    assert response.status_code == 400
    assert "请填写原因" in visible_text(response.text)
    response = await _post(client, path, {"reason": "教练生病"})
    assert response.status_code == 303
    assert (await Booking.get(id=booking.id)).status == BookingStatus.CANCELLED_BY_PALACE
    note = await Notification.exclude(kind="booked").get(member_id=booking.member_id)
    assert (note.kind, note.detail["reason"]) == ("class_cancelled", "教练生病")
    page = visible_text((await client.get(f"/staff/classes/sessions/{session.id}")).text)
    assert "已取消：教练生病" in page


@pytest.mark.usefixtures("monday")
async def test_a_new_instructor_lets_members_cancel_without_it_being_late(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    session, booking = await _booked_session()
    other = await make_instructor("刘洋")
    await _staff(client)
    response = await _post(client, f"/staff/classes/sessions/{session.id}/instructor",
                           {"value": str(other.id), "scope": "session"})  # fmt: skip
    assert response.status_code == 303
    assert (await ClassSession.get(id=session.id)).instructor_id == other.id
    note = await Notification.exclude(kind="booked").get(member_id=booking.member_id)
    assert note.kind == "class_instructor_changed"
    # An hour before the class, well past the usual two-hour cut-off.
    freeze(monkeypatch, datetime(2026, 11, 24, 18, 30))
    done = await releases.cancel(member_id=booking.member_id, booking_id=booking.id)
    assert done.status == BookingStatus.CANCELLED


@pytest.mark.usefixtures("monday")
async def test_capacity_never_goes_below_the_places_taken(client: httpx.AsyncClient) -> None:
    session, _booking = await _booked_session(capacity="3")
    await classes.book(member_id=(await make_member()).id, session_id=session.id)
    await _staff(client)
    path = f"/staff/classes/sessions/{session.id}/capacity"
    response = await _post(client, path, {"value": "1"})
    assert response.status_code == 400
    assert "已有 2 个名额被预约" in visible_text(response.text)
    assert (await _post(client, path, {"value": "2"})).status_code == 303
    assert (await Slot.get(id=session.slot_id)).capacity == 2


@pytest.mark.usefixtures("monday")
async def test_the_roster_lists_names_cards_and_children_with_their_parent(
    client: httpx.AsyncClient,
) -> None:
    club = await make_class_type(code="club", name_zh="少儿托管", name_en="Kids club",
                                 children=True)  # fmt: skip
    schedule = await make_schedule(class_type=club, start="16:30", days=(1,))
    session = await ClassSession.get(
        schedule_id=schedule.id, starts_at=clock.at(date(2026, 11, 24), 990)
    )
    parent = await make_member(name="孙红")
    child = await Child.create(parent_id=parent.id, name="孙小明", birth_year=2018)
    await classes.book(member_id=parent.id, session_id=session.id, child_id=child.id)
    await _staff(client)
    page = visible_text((await client.get(f"/staff/classes/sessions/{session.id}/roster")).text)
    assert f"孙小明 （{parent.name} 的孩子） {parent.card_no} 已确认" in page.replace(
        "(", "（"
    ).replace(")", "）")


@pytest.mark.usefixtures("monday")
async def test_staff_see_the_line_on_the_session_page_the_roster_and_the_demand_table(
    client: httpx.AsyncClient,
) -> None:
    club = await make_class_type(code="club", name_zh="少儿托管", name_en="Kids club",
                                 children=True)  # fmt: skip
    schedule = await make_schedule(class_type=club, start="16:30", days=(1,), capacity="1")
    session = await ClassSession.get(
        schedule_id=schedule.id, starts_at=clock.at(date(2026, 11, 24), 990)
    )
    holder = await make_member(name="周敏")
    await classes.book(
        member_id=holder.id,
        session_id=session.id,
        child_id=(await Child.create(parent_id=holder.id, name="周小雨", birth_year=2018)).id,
    )
    parent = await make_member(name="孙红")
    for name in ("孙小明", "孙小刚"):
        child = await Child.create(parent_id=parent.id, name=name, birth_year=2018)
        await waitlists.join(
            member_id=parent.id, slot_id=session.slot_id, mode="auto", child_id=child.id
        )
    await _staff(client)
    for path in (
        f"/staff/classes/sessions/{session.id}",
        f"/staff/classes/sessions/{session.id}/roster",
    ):
        page = visible_text((await client.get(path)).text).replace("(", "（").replace(")", "）")
        assert "2 人候补" in page, path
        assert "候补名单 · 2 人候补" in page, path
        assert f"1 孙小明 （孙红 的孩子） {parent.card_no} 候补中" in page, path
        assert f"2 孙小刚 （孙红 的孩子） {parent.card_no} 候补中" in page, path
        assert "周小雨" in page, path  # the booked child is still on the roster
    planning = (await client.get("/staff/classes?week=2026-11-23")).text
    demand = re.search(r'id="demand".*?</table>', planning, re.S)
    assert demand is not None
    assert "2 人候补" in visible_text(demand.group(0))


@pytest.mark.usefixtures("monday")
async def test_editing_a_schedule_moves_free_sessions_and_asks_before_booked_ones(
    client: httpx.AsyncClient,
) -> None:
    session, booking = await _booked_session()
    schedule = await Schedule.get(id=session.schedule_id)
    await _staff(client)
    values = form(await schedule.class_type, await schedule.room, await schedule.instructor,
                  start="19:00")  # fmt: skip
    path = f"/staff/classes/schedules/{schedule.id}"
    response = await _post(client, path, values)
    assert response.status_code == 400
    assert "已有会员预约的课次将被更改（1 节）" in visible_text(response.text)
    assert all(clock.utc(s.starts_at).minute == 30 for s in await ClassSession.all())
    response = await _post(client, path, {**values, "confirmed": "1"})
    assert response.status_code == 303
    starts = [clock.utc(s.starts_at) for s in await ClassSession.all().order_by("starts_at")]
    assert starts[0] == clock.at(date(2026, 11, 24), 19 * 60)
    assert len(starts) == 4
    moved = await Booking.get(id=booking.id)
    assert (moved.status, clock.utc(moved.starts_at)) == (BookingStatus.CONFIRMED, starts[0])
    assert await Notification.filter(member_id=booking.member_id, kind="class_changed").count() == 1
    assert (await Slot.get(id=session.slot_id)).cancel_cutoff_minutes == 0
    _ = timedelta, SessionStatus


@pytest.mark.usefixtures("monday")
async def test_a_week_far_off_or_mistyped_is_a_message(client: httpx.AsyncClient) -> None:
    await _staff(client)
    for week in ("2030-01-07", "2026-13-01"):
        response = await client.get(f"/staff/classes?week={week}")
        assert response.status_code == 303
    page = visible_text((await client.get("/staff/classes")).text)
    assert "请按“年-月-日”格式输入日期" in page
    response = await client.get("/staff/classes?week=2030-01-07")
    page = visible_text((await client.get(response.headers["location"])).text)
    assert "可查看 9月28日周一 至 5月24日周一 的各周。" in page


@pytest.mark.usefixtures("monday")
async def test_retired_classes_and_instructors_stay_only_on_the_schedules_that_have_them(
    client: httpx.AsyncClient,
) -> None:
    room, yoga, chen = await make_room(), await make_class_type(), await make_instructor()
    await _staff(client)
    made = await _post(client, "/staff/classes/schedules", form(yoga, room, chen))
    assert made.status_code == 303
    schedule = await Schedule.get()
    await ClassType.filter(id=yoga.id).update(active=False)
    await Instructor.filter(id=chen.id).update(active=False)
    forged = await _post(client, "/staff/classes/schedules", form(yoga, room, chen, days=(5,)))
    assert forged.status_code == 400
    page = visible_text(forged.text)
    assert "请从列表中选择课程。" in page and "请从列表中选择教练。" in page
    assert await Schedule.all().count() == 1
    path = f"/staff/classes/schedules/{schedule.id}"
    kept = await _post(client, path, form(yoga, room, chen, cutoff_hours="3"))
    assert kept.status_code == 303, visible_text(kept.text)
    assert (await Schedule.get(id=schedule.id)).cancel_cutoff_minutes == 180
    taichi = await make_class_type(code="taichi", name_zh="太极", name_en="Tai chi")
    wang = await make_instructor("王强")
    await ClassType.filter(id=taichi.id).update(active=False)
    await Instructor.filter(id=wang.id).update(active=False)
    switched = await _post(client, path, form(taichi, room, wang))
    assert switched.status_code == 400
    page = visible_text(switched.text)
    assert "请从列表中选择课程。" in page and "请从列表中选择教练。" in page
    saved = await Schedule.get(id=schedule.id)
    assert (saved.class_type_id, saved.instructor_id) == (yoga.id, chen.id)


@pytest.mark.usefixtures("monday")
async def test_a_session_dropped_by_an_edit_tells_its_members_why_in_words(
    client: httpx.AsyncClient,
) -> None:
    session, booking = await _booked_session()
    schedule = await Schedule.get(id=session.schedule_id)
    await _staff(client)
    values = form(await schedule.class_type, await schedule.room, await schedule.instructor,
                  days=(3,), confirmed="1")  # fmt: skip
    response = await _post(client, f"/staff/classes/schedules/{schedule.id}", values)
    assert response.status_code == 303, visible_text(response.text)
    assert (await ClassSession.get(id=session.id)).status == SessionStatus.CANCELLED
    staff_page = visible_text((await client.get(f"/staff/classes/sessions/{session.id}")).text)
    assert "已取消：每周课程安排有变。" in staff_page
    client.cookies.clear()
    await log_in(client, await Member.get(id=booking.member_id))
    inbox = visible_text((await client.get("/inbox")).text)
    assert "原因：每周课程安排有变。" in inbox
    assert "schedule_changed" not in inbox
    week = visible_text((await client.get("/classes")).text)
    assert "已取消：每周课程安排有变。" in week and "schedule_changed" not in week


@pytest.mark.usefixtures("monday")
async def test_a_member_whose_class_moved_reads_its_new_time_and_room(
    client: httpx.AsyncClient,
) -> None:
    session, booking = await _booked_session()
    schedule = await Schedule.get(id=session.schedule_id)
    dance = await make_room(code="dance")
    await Facility.filter(id=dance.facility_id).update(name_zh="舞蹈馆")
    await Resource.filter(id=dance.id).update(name_zh="二号教室")
    await _staff(client)
    values = form(await schedule.class_type, dance, await schedule.instructor,
                  start="19:00", confirmed="1")  # fmt: skip
    response = await _post(client, f"/staff/classes/schedules/{schedule.id}", values)
    assert response.status_code == 303, visible_text(response.text)
    client.cookies.clear()
    await log_in(client, await Member.get(id=booking.member_id))
    inbox = visible_text((await client.get("/inbox")).text)
    assert "课程调整" in inbox
    assert (
        "您的课程瑜伽（原定11月24日周二 19:30）已调整：现改为11月24日周二 19:00"
        "在舞蹈馆 · 二号教室上课，教练陈静。" in inbox
    )
    assert "您有一条新消息" not in inbox
    settings = visible_text((await client.get("/inbox/settings")).text)
    assert "课程调整" in settings  # members may have it sent outside the app too
