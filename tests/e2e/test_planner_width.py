"""The staff planner at a common office screen (1366×768): it opens on the week members
see, and all seven days fit beside the room names without scrolling sideways."""

from datetime import timedelta
from pathlib import Path

from playwright.async_api import expect
from tortoise.transactions import in_transaction

from palace.models import Role, Schedule
from palace.services.classes import class_sessions, classes
from palace.services.classes.class_sessions import SessionTime
from palace.services.core import clock
from tests.class_helpers import make_class_type, make_instructor, make_room
from tests.e2e.browser import chromium
from tests.e2e.test_accounts_journey import shot
from tests.e2e.test_class_journey import _log_in
from tests.helpers import make_member
from tests.processes import web_server

OFFICE = {"viewport": {"width": 1366, "height": 768}}


async def _a_full_week() -> None:
    """Two rooms with a long-named class every day of the week the planner opens on."""
    first = await classes.first_week()
    kind = await make_class_type(code="stretch", name_zh="职工工间操与肩颈舒缓拉伸", name_en="x")
    teacher = await make_instructor("欧阳明月")
    for code in ("studio", "hall-2"):
        room = await make_room(code=code)
        schedule = await Schedule.create(
            class_type=kind, room=room, instructor=teacher, days="0,1,2,3,4,5,6",
            start_minute=19 * 60 + 30, minutes=60, term_start=first,
            term_end=first + timedelta(days=6), capacity=20,
        )  # fmt: skip
        for n in range(7):
            starts_at = clock.at(first + timedelta(days=n), 19 * 60 + 30)
            async with in_transaction():
                await class_sessions.create_session(
                    schedule, SessionTime(starts_at, starts_at + timedelta(hours=1))
                )


async def test_seven_days_fit_at_1366(output_dir: Path) -> None:
    await _a_full_week()
    staff = await make_member(role=Role.STAFF)
    sunday = (await classes.first_week()) + timedelta(days=6)
    with web_server() as base:
        async with chromium() as browser:
            page = await (await browser.new_context(**OFFICE, base_url=base)).new_page()
            await _log_in(page, staff)
            await page.goto("/staff/classes")
            table = page.locator("#plan-week")
            await expect(table.locator("thead th").last).to_contain_text(f"{sunday.day}日")
            await shot(page, output_dir, "planner-1366")
            box = await page.evaluate(
                """() => {
                  const table = document.getElementById('plan-week');
                  const frame = table.parentElement;
                  const last = (css) => table.querySelector(css).getBoundingClientRect();
                  const sunday = last('thead th:last-child');
                  const cell = last('tbody tr td:last-child');
                  return {scroll: frame.scrollWidth, width: frame.clientWidth,
                          right: Math.max(sunday.right, cell.right),
                          edge: frame.getBoundingClientRect().right,
                          page: document.documentElement.scrollWidth};
                }"""
            )
            assert box["scroll"] <= box["width"], box  # nothing to scroll to sideways
            assert box["right"] <= box["edge"], box  # Sunday is inside the frame
            assert box["page"] <= 1366, box
