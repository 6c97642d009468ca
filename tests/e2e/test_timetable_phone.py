"""On a phone: the chosen day is in view in the day strip, and a refusal is on screen."""

import asyncio
from datetime import timedelta
from pathlib import Path

from playwright.async_api import Dialog, expect

from palace.models import Booking
from palace.services.booking import bookings
from palace.services.core import clock
from tests.e2e.browser import PHONE, chromium
from tests.e2e.test_accounts_journey import shot
from tests.helpers import PASSWORD, court, make_hall, make_member, slot_at
from tests.processes import web_server


async def test_the_chosen_day_and_the_answer_are_on_screen(output_dir: Path) -> None:
    hall = await make_hall(courts=2, days_ahead=14)
    member, rival = await make_member(), await make_member()
    last = (clock.today() + timedelta(days=14)).isoformat()
    with web_server() as base:
        async with chromium() as browser:
            page = await (await browser.new_context(**PHONE, base_url=base)).new_page()
            await page.goto(f"/book/{hall.code}?day={last}")
            await page.locator("#login").fill(member.card_no)
            await page.locator("#password").fill(PASSWORD)
            await page.locator("form[action='/login'] button[type=submit]").click()
            chosen = page.locator('nav.days [aria-current="date"]')
            await expect(chosen).to_be_in_viewport()
            await page.goto(
                "/book/badminton?day=" + (clock.today() + timedelta(days=1)).isoformat()
            )
            # Someone else takes 22:00 on court 1 after the page was drawn.
            late = slot_at(1, 22)
            await bookings.book(
                member_id=rival.id, resource_id=(await court(hall)).id, starts_at=late
            )
            button = page.get_by_role("button", name="预约 1号场 22:00")
            await button.scroll_into_view_if_needed()
            await button.click()
            toast = page.locator("#booking-message .flash-error")
            await expect(toast).to_contain_text("刚刚被约走")
            await expect(toast).to_be_in_viewport()
            await shot(page, output_dir, "taken-toast")


async def test_booking_inside_the_cut_off_asks_first_and_no_books_nothing(
    output_dir: Path,
) -> None:
    # Every slot tomorrow starts within 48 hours, whatever the hour the test runs at.
    hall = await make_hall(cancel_cutoff_minutes=48 * 60)
    member = await make_member()
    tomorrow = (clock.today() + timedelta(days=1)).isoformat()
    with web_server() as base:
        async with chromium() as browser:
            page = await (await browser.new_context(**PHONE, base_url=base)).new_page()
            await page.goto(f"/book/{hall.code}?day={tomorrow}")
            await page.locator("#login").fill(member.card_no)
            await page.locator("#password").fill(PASSWORD)
            await page.locator("form[action='/login'] button[type=submit]").click()
            asked: asyncio.Future[str] = asyncio.get_running_loop().create_future()

            async def say_no(dialog: Dialog) -> None:
                await dialog.dismiss()
                asked.set_result(dialog.message)

            async def say_yes(dialog: Dialog) -> None:
                await dialog.accept()

            page.once("dialog", say_no)
            button = page.get_by_role("button", name="预约 1号场 10:00")
            await button.click()
            assert "之后取消将记为迟取消" in await asyncio.wait_for(asked, 10)
            await expect(button).to_be_visible()
            assert await Booking.filter(member_id=member.id).count() == 0

            page.once("dialog", say_yes)
            await button.click()
            await expect(page.locator("#booking-message .flash-success")).to_be_in_viewport()
            await expect(page.locator("#legend")).to_contain_text("空闲")
            await shot(page, output_dir, "booked-after-asking")
            assert await Booking.filter(member_id=member.id).count() == 1
