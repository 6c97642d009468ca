"""An opening queue on a phone: the timetable leads a member to the day's queue, they join
with two choices; at the end of the gathering a real worker serves the queue and the page
turns to the outcome by itself; the booking is under My bookings. Screenshots of the
queue page in both languages."""

import asyncio
import math
from datetime import date, timedelta
from pathlib import Path

from playwright.async_api import Browser, Page, expect

from palace.models import (
    Booking,
    BookingRules,
    BookingSource,
    Facility,
    Member,
    OpeningQueue,
    QueueEntry,
    QueueOutcome,
    QueueState,
)
from palace.services.core import clock
from palace.services.fairness import opening_queue
from tests.e2e.browser import PHONE, chromium
from tests.e2e.test_accessibility import log_in as axe_log_in
from tests.e2e.test_accessibility import violations
from tests.e2e.test_accounts_journey import shot
from tests.helpers import PASSWORD, make_hall, make_member
from tests.processes import palace, web_server

# How long the member has to join, from the test's start: the real clock runs in the
# server and the worker, so the queue's times are set around it (as the ballot journey
# sets its ballot's), and the worker waits for the end of the gathering itself.
TO_JOIN = timedelta(seconds=40)


async def _queue_gathering_now() -> tuple[Facility, date]:
    """A one-court hall whose next day opened this minute and gathers its queue until
    about a minute from now, and that day."""
    hall = await make_hall(courts=1)
    now = clock.now()
    local = now.astimezone(clock.zone())
    opening = local.replace(second=0, microsecond=0)
    rules = await BookingRules.get(facility_id=hall.id)
    rules.opens_minute = opening.hour * 60 + opening.minute
    rules.queue_seconds = math.ceil((now - opening).total_seconds() + TO_JOIN.total_seconds())
    await rules.save()
    return hall, opening.date() + timedelta(days=rules.days_ahead)


async def _phone(browser: Browser, base: str, card_no: str) -> Page:
    page = await (await browser.new_context(**PHONE, base_url=base)).new_page()
    await page.goto("/book")
    await page.get_by_label("工会会员卡号或手机号").fill(card_no)
    await page.get_by_label("密码").fill(PASSWORD)
    await page.get_by_role("button", name="登录").click()
    await expect(page.locator("#logout")).to_be_visible()
    return page


async def _axe(browser: Browser, base: str, member: Member, path: str) -> list[str]:
    context = await browser.new_context(**PHONE, base_url=base, bypass_csp=True)
    page = await context.new_page()
    await axe_log_in(page, member)
    found = await violations(page, path)
    await context.close()
    return found


async def test_join_with_two_choices_and_watch_the_outcome_arrive(output_dir: Path) -> None:
    hall, day = await _queue_gathering_now()
    member, other = await make_member(name="王芳"), await make_member(name="李强")
    first, second = f"{day}T19:00/c1", f"{day}T20:00/c1"
    # Someone else wants 19:00 on the one court: whatever the order, the member gets one of
    # their two choices (the second only where the first was gone at their turn).
    await opening_queue.join(facility_id=hall.id, day=day, member_id=other.id,
                             choices=[first], actor_id=other.id)  # fmt: skip
    with web_server() as base:
        async with chromium() as browser:
            page = await _phone(browser, base, member.card_no)
            await page.goto(f"/book/badminton?day={day}")
            await expect(page.locator("#queue-banner")).to_contain_text("现在加入")
            await shot(page, output_dir, "0-timetable-banner")
            await page.get_by_role("button", name="加入开放排队").click()
            await expect(page.get_by_role("heading", name="开放排队：羽毛球馆")).to_be_visible()
            await page.get_by_label("第 1 志愿").select_option(first)
            await page.get_by_label("第 2 志愿").select_option(second)
            await page.get_by_role("button", name="加入排队").click()
            await expect(page.get_by_text("您已加入排队")).to_be_visible()
            await expect(page.locator("#queue-in")).to_contain_text("排队中 — 已有 2 人加入")
            await shot(page, output_dir, "1-in-the-queue-zh")
            entry = await QueueEntry.get(member_id=member.id)
            assert entry.choices == [first, second]
            # The page with its form and live status passes axe-core (in a context of its
            # own: axe is injected past the page's CSP, which this member's page keeps).
            assert await _axe(browser, base, member, f"/halls/badminton/queue/{day}") == []

            await page.get_by_role("button", name="English").click()
            await expect(page.locator("#queue-in")).to_contain_text("In the queue — 2 joined")
            await expect(page.locator("#queue-how")).to_contain_text("gives no advantage")
            await shot(page, output_dir, "2-in-the-queue-en")

            # The worker's job was queued for the end of the gathering: a burst worker
            # waits for it, serves the queue and stops. The page is not reloaded.
            served = await asyncio.to_thread(palace, "worker", "--burst", timeout=300)
            assert served.returncode == 0, served.stderr
            queue = await OpeningQueue.get(facility_id=hall.id, day=day)
            assert queue.state == QueueState.DONE
            entry = await QueueEntry.get(member_id=member.id)
            assert entry.outcome == QueueOutcome.WON and entry.won_key in (first, second)
            outcome = page.locator("#queue-outcome")
            await expect(outcome).to_contain_text("You got a place: Court 1")
            # Joins are closed: the form goes, and the state says so.
            await expect(page.locator("#queue-form")).to_have_count(0)
            await expect(page.locator("#queue-state")).to_have_text("Served")
            assert page.url.endswith(f"/halls/badminton/queue/{day}")
            await shot(page, output_dir, "3-outcome-en")

            await page.get_by_role("button", name="中文").click()
            await expect(page.locator("#queue-outcome")).to_contain_text("您获得了名额：1号场")
            await shot(page, output_dir, "4-outcome-zh")
            await page.get_by_role("link", name="查看预约").click()
            await expect(page.locator("#logout")).to_be_visible()
            await page.goto("/bookings")
            booking_id = entry.booking_id
            await expect(page.locator(f"#booking-{booking_id}")).to_be_visible()
            await expect(page.locator("#queue-entries")).to_contain_text("已获得名额")
            await shot(page, output_dir, "5-my-bookings")
    assert entry.booking_id is not None
    booking = await Booking.get(id=entry.booking_id)
    assert (booking.member_id, booking.source) == (member.id, BookingSource.QUEUE)
