"""On a 360 px wide phone every menu item of every role is on screen, in both languages,
with the unread badge beside Messages: nothing hides off the end of a sideways row."""

from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from palace.models import Role
from palace.services.messages import notifications
from palace.web import nav
from tests.e2e.browser import PHONE, chromium
from tests.e2e.test_accessibility import log_in
from tests.e2e.test_accounts_journey import shot
from tests.helpers import make_member
from tests.processes import web_server

NARROW = {**PHONE, "viewport": {"width": 360, "height": 740}}
# What each role's menu offers (nav.TABS, less the pages a role may not open).
MENUS = {
    Role.MEMBER: ["/", "/book", "/classes", "/bookings", "/inbox", "/account"],
    Role.DESK: ["/", "/book", "/classes", "/bookings", "/inbox", "/desk", "/account"],
    Role.STAFF: ["/", "/book", "/classes", "/bookings", "/inbox", "/staff", "/account"],
    Role.ADMIN: [path for path, _ in nav.TABS],
}


async def _all_on_screen(page: Page, paths: list[str]) -> None:
    links = page.locator("nav.tabs a")
    assert [await link.get_attribute("href") for link in await links.all()] == paths
    for link in await links.all():
        await expect(link).to_be_visible()
        box = await link.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360, box
    # Nothing sideways to scroll to, in the menu or on the page.
    widths = await page.evaluate(
        "() => [document.documentElement.scrollWidth, document.querySelector('nav.tabs ul')"
        ".scrollWidth, document.querySelector('nav.tabs ul').clientWidth]"
    )
    assert widths[0] <= 360 and widths[1] <= widths[2], widths


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
async def test_every_menu_item_is_on_a_narrow_phone_screen(output_dir: Path, lang: str) -> None:
    people = {role: await make_member(role=role, language=lang) for role in MENUS}
    for person in people.values():
        await notifications.notify(member_id=person.id, kind="suspension_lifted")
    with web_server() as base:
        async with chromium() as browser:
            for role, person in people.items():
                context = await browser.new_context(**NARROW, base_url=base)
                page = await context.new_page()
                await log_in(page, person)
                await page.goto("/account")
                await _all_on_screen(page, MENUS[role])
                badge = page.locator("#inbox-link .count")
                await expect(badge).to_be_visible()
                await expect(badge).to_have_text("1")
                await expect(page.locator("#logout")).to_be_in_viewport()
                await shot(page, output_dir, f"{role.value}-{lang}")
                await context.close()
