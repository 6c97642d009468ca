"""Staff plan a weekly yoga class, the worker makes its sessions, a member books a place,
staff cancel that session with a reason, and the member sees the cancellation and why."""

import uuid
from datetime import timedelta
from pathlib import Path

from arq import create_pool
from arq.connections import RedisSettings
from playwright.async_api import Page, expect

from palace.models import (
    Booking,
    BookingStatus,
    ClassSession,
    Facility,
    FacilityKind,
    Member,
    Resource,
    Role,
)
from palace.services.classes import classes
from palace.services.core import clock
from palace.settings import get_settings
from tests.class_helpers import confirm_unknown_years, make_class_type, make_instructor
from tests.e2e.browser import DESK, PHONE, chromium
from tests.e2e.test_accounts_journey import shot
from tests.helpers import PASSWORD, make_member
from tests.processes import palace, web_server
from workers.main import QUEUE


async def _log_in(page: Page, member: Member) -> None:
    await page.goto("/login")
    await page.get_by_label("工会会员卡号或手机号").fill(member.card_no)
    await page.get_by_label("密码").fill(PASSWORD)
    await page.get_by_role("button", name="登录").click()
    await expect(page.get_by_role("link", name="退出").or_(page.locator("#logout"))).to_be_visible()


async def _run_the_worker() -> None:
    pool = await create_pool(RedisSettings.from_dsn(get_settings().redis_url))
    await pool.enqueue_job("generate_sessions", _queue_name=QUEUE, _job_id=f"gen-{uuid.uuid4()}")
    await pool.aclose()
    result = palace("worker", "--burst", timeout=120)
    assert result.returncode == 0, result.stderr


async def _plan_yoga(page: Page, output_dir: Path) -> None:
    await page.goto("/staff")
    await page.get_by_role("link", name="安排课程").click()
    await (
        page.get_by_role("button", name="新建每周课程")
        .or_(page.get_by_role("link", name="新建每周课程"))
        .click()
    )
    await page.get_by_label("课程", exact=True).select_option(label="瑜伽")
    await page.get_by_label("教室").select_option(label="多功能厅")
    await page.get_by_label("教练").select_option(label="陈静")
    for box in await page.locator("input[name=days]").all():
        await box.check()  # every day, so each week has sessions whatever today is
    await page.get_by_label("开始时间").fill("19:30")
    await page.get_by_label("提前几天开放预约").fill("30")
    await shot(page, output_dir, "1-new-class")
    await page.get_by_role("button", name="保存").click()
    if await page.locator("#conflicts").count():  # a public holiday in the term
        await page.get_by_label("这些日期不上课，保存").check()
        await page.get_by_role("button", name="保存").click()
    await expect(page.get_by_text("已保存。已生成未来几周的课次")).to_be_visible()
    await shot(page, output_dir, "2-planned")


async def test_staff_plan_yoga_a_member_books_staff_cancel_with_a_reason(
    output_dir: Path,
) -> None:
    room = {"name_zh": "多功能厅", "name_en": "Multi-purpose room"}
    studio = await Facility.create(code="studio", kind=FacilityKind.CLASSROOM, **room)
    await Resource.create(facility=studio, code="room", capacity=25, hosts_classes=True, **room)
    await make_class_type()
    await confirm_unknown_years()
    await make_instructor("陈静")
    staff = await make_member(role=Role.STAFF, name="张伟")
    member = await make_member(name="李娜")
    with web_server() as base:
        async with chromium() as browser:
            desk = await (await browser.new_context(**DESK, base_url=base)).new_page()
            await _log_in(desk, staff)
            await _plan_yoga(desk, output_dir)
            made_at_once = await ClassSession.all().count()
            assert made_at_once > 0

            await _run_the_worker()
            assert await ClassSession.all().count() > made_at_once
            in_three_weeks = classes.monday(clock.today()) + timedelta(weeks=3)

            phone = await (await browser.new_context(**PHONE, base_url=base)).new_page()
            await _log_in(phone, member)
            await phone.get_by_role("link", name="课程", exact=True).click()
            await phone.goto(f"/classes?week={in_three_weeks.isoformat()}")
            book = phone.get_by_role("button", name="预约 瑜伽").first
            await book.click()
            await expect(phone.get_by_text("预约成功：瑜伽")).to_be_visible()
            await shot(phone, output_dir, "3-member-booked")
            booking = await Booking.get(member_id=member.id)
            session = await ClassSession.get(slot_id=booking.slot_id)
            assert clock.local_day(session.starts_at) >= in_three_weeks  # made by the worker

            await desk.goto(f"/staff/classes/sessions/{session.id}")
            await expect(desk.locator("#roster")).to_contain_text(member.card_no)
            await desk.get_by_label("原因（会告知会员）").fill("教练临时有事")
            desk.once("dialog", lambda dialog: dialog.accept())
            await desk.get_by_role("button", name="取消这节课").click()
            await expect(
                desk.get_by_text("本节课已取消。已取消预约并通知会员：1 人。")
            ).to_be_visible()
            await shot(desk, output_dir, "4-session-cancelled")

            await phone.get_by_role("link", name="我的预约").click()
            cancelled = phone.locator("#history")  # past and cancelled bookings
            await expect(cancelled).to_contain_text("瑜伽")
            await expect(cancelled).to_contain_text("已取消：教练临时有事")
            await shot(phone, output_dir, "5-member-sees-why")
    assert (await Booking.get(id=booking.id)).status == BookingStatus.CANCELLED_BY_PALACE
