"""axe-core finds no serious or critical accessibility problem on the main pages of each role.

axe-core comes from npm (node_modules, installed by scripts/test) and is injected from
disk; the page's own CSP is bypassed for that script only, nothing loads from a CDN.
"""

from datetime import timedelta
from pathlib import Path
from typing import Any

from playwright.async_api import Page

from palace.models import ClassSession, Member, Role
from palace.services.booking import bookings, calendars, tickets
from palace.services.core import clock
from tests.class_helpers import make_schedule
from tests.e2e.browser import DESK, PHONE, chromium
from tests.helpers import PASSWORD, add_partners, court, make_hall, make_member, slot_at
from tests.processes import web_server

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
SEVERE = ("serious", "critical")


async def violations(page: Page, path: str) -> list[str]:
    response = await page.goto(path)
    assert response is not None and response.ok, f"{path}: {response and response.status}"
    await page.add_script_tag(path=str(AXE))
    found: list[dict[str, Any]] = await page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [
        f"{path}: {v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:5]}"
        for v in found
        if v["impact"] in SEVERE
    ]


async def log_in(page: Page, member: Member) -> None:
    await page.goto("/login")
    await page.locator("#login").fill(member.card_no)
    await page.locator("#password").fill(PASSWORD)
    await page.locator("form[action='/login'] button[type=submit]").click()
    await page.wait_for_url(lambda url: "/login" not in url)


async def test_main_pages_of_every_role_pass_axe() -> None:
    hall = await make_hall(partners_allowed=True)
    member = await make_member(name="周立")
    partner = await make_member(name="吴芳")
    schedule = await make_schedule()
    session = await ClassSession.filter(schedule_id=schedule.id).order_by("starts_at").first()
    assert session is not None
    booking = await bookings.book(
        member_id=member.id, resource_id=(await court(hall)).id, starts_at=slot_at()
    )
    taken = await bookings.book(
        member_id=partner.id, resource_id=(await court(hall, 2)).id, starts_at=slot_at()
    )
    await add_partners(member.id, booking.id, [partner])
    await calendars.create_or_reset_feed(member_id=member.id)
    tomorrow = (clock.today() + timedelta(days=1)).isoformat()
    pages = {
        None: ["/", "/login", "/register"],
        Role.MEMBER: [
            "/",
            "/book",
            f"/book/{hall.code}?day={tomorrow}",
            "/classes",
            "/bookings",
            f"/bookings/{booking.id}",
            "/account",
            "/account/password",
            "/classes/want",
            f"/waitlist/{taken.slot_id}",
            "/inbox",
            "/inbox/settings",
        ],
        Role.DESK: [
            "/desk",
            f"/desk?q={member.card_no}",
            f"/desk/members/{member.id}",
            "/desk/scan",
            f"/desk/scan?code={tickets.token_for(booking.id)}",
            f"/desk/members/{member.id}/password",
        ],
        Role.STAFF: [
            "/staff",
            f"/staff/facilities/{hall.id}/rules",
            f"/staff/facilities/{hall.id}/closures",
            f"/staff/facilities/{hall.id}/bookings?day={tomorrow}",
            f"/staff/bookings/{booking.id}",
            "/staff/classes",
            "/staff/classes/setup",
            "/staff/classes/schedules/new",
            f"/staff/classes/schedules/{schedule.id}",
            f"/staff/classes/sessions/{session.id}",
            f"/staff/classes/sessions/{session.id}/roster",
            f"/staff/attendance?day={tomorrow}",
            "/staff/strikes",
            f"/staff/members/{member.id}/strikes",
            "/staff/audit",
            "/staff/deliveries",
        ],
        Role.ADMIN: ["/admin/members", f"/admin/members/{member.id}"],
    }
    found: list[str] = []
    with web_server() as base:
        async with chromium() as browser:
            for role, paths in pages.items():
                device = PHONE if role in (None, Role.MEMBER) else DESK
                context = await browser.new_context(**device, base_url=base, bypass_csp=True)
                page = await context.new_page()
                if role is not None:
                    who = member if role == Role.MEMBER else await make_member(role=role)
                    await log_in(page, who)
                for path in paths:
                    found += await violations(page, path)
                await context.close()
    assert found == [], "\n".join(found)
