"""On a phone, a tap on a closed cell of the timetable shows why it is closed."""

from datetime import timedelta
from pathlib import Path

from playwright.async_api import expect

from palace.models import Role
from palace.services.core import clock
from palace.services.facilities import closures
from tests.e2e.browser import PHONE, chromium
from tests.e2e.test_accessibility import log_in
from tests.e2e.test_accounts_journey import shot
from tests.helpers import court, make_hall, make_member, slot_at
from tests.processes import web_server


async def test_a_tap_on_a_closed_cell_shows_the_reason(output_dir: Path) -> None:
    hall = await make_hall(courts=3)
    staff, member = await make_member(role=Role.STAFF), await make_member()
    last = await court(hall, 3)
    for resource_id in (None, last.id):  # the whole hall at 08:00, the last court at 10:00
        hour = 8 if resource_id is None else 10
        await closures.close(
            actor_id=staff.id, facility_id=hall.id, resource_id=resource_id,
            starts_at=slot_at(1, hour), ends_at=slot_at(1, hour + 1), reason="羽毛球比赛",
        )  # fmt: skip
    day = (clock.today() + timedelta(days=1)).isoformat()
    with web_server() as base:
        async with chromium() as browser:
            page = await (await browser.new_context(**PHONE, base_url=base)).new_page()
            await log_in(page, member)
            await page.goto(f"/book/{hall.code}?day={day}")
            cell = page.locator(f"#cell-{last.id}-{int(slot_at(1, 10).timestamp())}")
            reason = cell.locator("details.closed-why p")
            await expect(reason).to_be_hidden()
            await cell.evaluate("cell => cell.scrollIntoView({block: 'center'})")
            await cell.get_by_text("关闭").click()
            await expect(reason).to_be_visible()
            await expect(reason).to_have_text("羽毛球比赛")
            await expect(reason).to_be_in_viewport()
            await page.screenshot(path=str(output_dir / "closed-cell-open.png"))
            await shot(page, output_dir, "timetable")
