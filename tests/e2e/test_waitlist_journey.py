"""A member waits for a full yoga class on a phone; when another member cancels, a
worker books them and their badge says so without a reload. A member whose court was
closed reads the staff's reason in Messages."""

import sys
from pathlib import Path

from playwright.async_api import Page, expect

from palace.models import (
    Booking,
    BookingSource,
    BookingStatus,
    Facility,
    Slot,
)
from palace.services.booking import bookings, releases
from palace.services.classes import classes
from palace.services.core import clock
from palace.services.facilities import closures
from tests.class_helpers import make_room, plain_session
from tests.e2e.browser import PHONE, chromium
from tests.e2e.test_accounts_journey import shot
from tests.helpers import PASSWORD, court, make_hall, make_member, slot_at
from tests.processes import web_server

SERVE_WITH_WORKER = [sys.executable, "-m", "palace", "serve", "--with-worker"]


async def _log_in(page: Page, card_no: str) -> None:
    await page.goto("/inbox")
    await page.get_by_label("工会会员卡号或手机号").fill(card_no)
    await page.get_by_label("密码").fill(PASSWORD)
    await page.get_by_role("button", name="登录").click()
    await expect(page.get_by_role("heading", name="消息")).to_be_visible()


async def test_the_first_in_line_is_promoted_and_sees_it_without_reloading(
    output_dir: Path,
) -> None:
    session = await plain_session(await make_room(code="yoga"))
    await Slot.filter(id=session.slot_id).update(capacity=1)
    await Facility.filter(code="yoga").update(name_zh="瑜伽室", name_en="Yoga room")
    waiting, leaving = await make_member(name="王芳"), await make_member(name="李娜")
    booking = await classes.book(member_id=leaving.id, session_id=session.id)
    day = clock.local_day(session.starts_at).isoformat()
    with web_server(command=SERVE_WITH_WORKER) as base:
        async with chromium() as browser:
            page = await (await browser.new_context(**PHONE, base_url=base)).new_page()
            await _log_in(page, waiting.card_no)
            # The full class on the timetable leads to its line rather than a dead end.
            await page.goto(f"/classes?week={day}")
            card = page.locator(f"#session-{session.id}")
            await expect(card).to_contain_text("已满")
            await card.get_by_role("link", name="加入候补").click()
            await expect(page.get_by_role("heading", name="瑜伽")).to_be_visible()
            await page.get_by_label("自动为我预约").check()
            await page.get_by_role("button", name="加入候补").click()
            await expect(page.get_by_text("您排在第 1 位。")).to_be_visible()
            await expect(page.locator("#inbox-badge .count")).to_have_count(0)
            await shot(page, output_dir, "1-in-line")
            await page.goto(f"/classes?week={day}")
            await expect(card).to_contain_text("候补中")

            await releases.cancel(member_id=leaving.id, booking_id=booking.id)
            # No reload: the badge asks for news by itself while the page is in use.
            await expect(page.locator("#inbox-badge .count")).to_have_text("1", timeout=60_000)
            await shot(page, output_dir, "2-badge")

            await page.locator("#inbox-link").click()
            await expect(page.locator("#messages")).to_contain_text("有名额空出，已为您预约")
            await shot(page, output_dir, "3-messages")
            await page.get_by_role("link", name="我的预约").click()
            await expect(page.locator("#upcoming")).to_contain_text("瑜伽")
            await shot(page, output_dir, "4-my-bookings")
    promoted = await Booking.get(member_id=waiting.id)
    assert promoted.status == BookingStatus.CONFIRMED and promoted.source == BookingSource.WAITLIST
    assert promoted.slot_id == session.slot_id


async def test_a_member_whose_court_was_closed_reads_the_reason(output_dir: Path) -> None:
    hall = await make_hall()
    member, staff = await make_member(name="周立"), await make_member()
    await bookings.book(
        member_id=member.id, resource_id=(await court(hall)).id, starts_at=slot_at()
    )
    await closures.close(
        actor_id=staff.id, facility_id=hall.id, resource_id=None,
        starts_at=slot_at(hour=8), ends_at=slot_at(hour=18), reason="区级羽毛球比赛",
    )  # fmt: skip
    with web_server() as base:
        async with chromium() as browser:
            page = await (await browser.new_context(**PHONE, base_url=base)).new_page()
            await _log_in(page, member.card_no)
            message = page.locator("#messages article").filter(has_text="文化宫取消了您的预约")
            await expect(message).to_contain_text("原因：区级羽毛球比赛")
            await shot(page, output_dir, "closed-reason")
