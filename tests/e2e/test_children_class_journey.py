"""A parent books both children into the children's club on a phone; the club is full,
another parent puts a child in its line; staff see the line on the session page."""

from datetime import timedelta
from pathlib import Path

from playwright.async_api import Page, expect

from palace.models import Booking, Child, ClassSession, Facility, Member, Resource, Role
from palace.services.core import clock
from tests.class_helpers import make_class_type, make_schedule
from tests.e2e.browser import DESK, PHONE, chromium
from tests.e2e.test_accessibility import log_in, violations
from tests.e2e.test_accounts_journey import shot
from tests.helpers import make_member
from tests.processes import web_server


async def _club_session() -> ClassSession:
    """The children's club in 多功能厅 (a room named like its hall), two places, every day;
    the first session a day or more away (no late-cancel question before booking)."""
    club = await make_class_type(code="club", name_zh="少儿托管", name_en="Kids club",
                                 children=True)  # fmt: skip
    room = {"name_zh": "多功能厅", "name_en": "Multi-purpose room"}
    studio = await Facility.create(code="studio", kind="classroom", **room)
    hall = await Resource.create(facility=studio, code="room", capacity=25, hosts_classes=True,
                                 **room)  # fmt: skip
    schedule = await make_schedule(
        hall, class_type=club, start="16:30", days=(0, 1, 2, 3, 4, 5, 6), capacity="2",
        days_ahead="30",
    )  # fmt: skip
    found = await ClassSession.filter(
        schedule_id=schedule.id, starts_at__gt=clock.now() + timedelta(days=1)
    ).order_by("starts_at").first()  # fmt: skip
    assert found is not None
    return found


async def _book(page: Page, session: ClassSession, child: Child) -> None:
    card = page.locator(f"#session-{session.id}")
    await card.get_by_label("为哪个孩子").select_option(label=child.name)
    await card.get_by_role("button", name="预约").click()
    await expect(page.get_by_text(f"预约成功：少儿托管 · {child.name}")).to_be_visible()


async def _children(parent: Member, *names: str) -> list[Child]:
    return [await Child.create(parent_id=parent.id, name=n, birth_year=2018) for n in names]


async def test_two_children_in_one_class_then_a_line_staff_can_see(output_dir: Path) -> None:
    session = await _club_session()
    week = clock.local_day(session.starts_at).isoformat()
    parent, other = await make_member(name="孙红"), await make_member(name="周敏")
    first, second = await _children(parent, "孙小明", "孙小红")
    (waiting,) = await _children(other, "周小雨")
    staff = await make_member(role=Role.STAFF, name="张伟")
    with web_server() as base:
        async with chromium() as browser:
            phone = await (await browser.new_context(**PHONE, base_url=base)).new_page()
            await log_in(phone, parent)
            await phone.goto(f"/classes?week={week}")
            await _book(phone, session, first)
            await _book(phone, session, second)  # the card offered the other child
            await expect(phone.locator(f"#session-{session.id}")).to_contain_text("孙小红的预约码")
            await shot(phone, output_dir, "1-two-children-booked")

            # axe is injected as a script of its own, which the pages' CSP rightly refuses.
            axe_ok = {"base_url": base, "bypass_csp": True}
            other_phone = await (await browser.new_context(**PHONE, **axe_ok)).new_page()
            await log_in(other_phone, other)
            await other_phone.goto(f"/classes?week={week}")
            await (
                other_phone.locator(f"#session-{session.id}")
                .get_by_role("link", name="加入候补")
                .click()
            )
            assert await violations(other_phone, other_phone.url) == []
            await other_phone.get_by_label("为哪个孩子").select_option(label="周小雨")
            await other_phone.get_by_role("button", name="加入候补").click()
            await expect(other_phone.get_by_text("已加入候补")).to_be_visible()
            await expect(other_phone.locator(".line-name")).to_have_text("少儿托管 · 周小雨")
            await shot(other_phone, output_dir, "2-child-in-line")

            desk = await (await browser.new_context(**DESK, **axe_ok)).new_page()
            await log_in(desk, staff)
            assert await violations(desk, f"/staff/classes/sessions/{session.id}") == []
            await expect(desk.locator("#waiting")).to_contain_text("周小雨")
            await expect(desk.locator("#waiting-heading")).to_contain_text("1 人候补")
            await shot(desk, output_dir, "3-staff-see-the-line")
    booked = await Booking.filter(slot_id=session.slot_id).values_list("child_id", flat=True)
    assert sorted(booked) == sorted([first.id, second.id])
    assert waiting.id not in booked
