"""On a phone: the chosen day is in view in the day strip, and a refusal is on screen."""

from datetime import timedelta
from pathlib import Path

from playwright.async_api import expect

from palace.services import bookings, clock
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
