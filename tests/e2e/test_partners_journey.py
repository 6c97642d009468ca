"""Doubles on phones: the booker names a mistyped card, reads that it counts only once
accepted and withdraws it, names the right one; the partner follows the message to the
invitation and accepts; the booker reads who accepted, masked, in Messages."""

from pathlib import Path

from playwright.async_api import Browser, Page, expect

from palace.services.booking import bookings
from tests.e2e.browser import PHONE, chromium
from tests.e2e.test_accounts_journey import shot
from tests.helpers import PASSWORD, court, make_hall, make_member, slot_at
from tests.processes import web_server

BOOKER = "<i>李</i> 50%"
PARTNER = "<b>孙</b> 100%"


async def _phone(browser: Browser, base: str, card_no: str) -> Page:
    page = await (await browser.new_context(**PHONE, base_url=base)).new_page()
    await page.goto("/inbox")
    await page.get_by_label("工会会员卡号或手机号").fill(card_no)
    await page.get_by_label("密码").fill(PASSWORD)
    await page.get_by_role("button", name="登录").click()
    await expect(page.get_by_role("heading", name="消息")).to_be_visible()
    return page


async def test_a_partner_is_invited_answers_from_the_message_and_is_shown_masked(
    output_dir: Path,
) -> None:
    hall = await make_hall(partners_allowed=True)
    owner, partner = await make_member(name=BOOKER), await make_member(name=PARTNER)
    booking = await bookings.book(
        member_id=owner.id, resource_id=(await court(hall)).id, starts_at=slot_at()
    )
    with web_server() as base:
        async with chromium() as browser:
            booker = await _phone(browser, base, owner.card_no)
            await booker.goto(f"/bookings/{booking.id}")
            await booker.get_by_label("同伴 1 的会员卡号").fill("99999999")
            await booker.get_by_role("button", name="保存同伴").click()
            await expect(booker.get_by_text("接受后才算同伴。")).to_be_visible()
            invitations = booker.locator("#invitations")
            await expect(invitations).to_contain_text("99999999 已邀请：对方接受后才算同伴")
            await expect(booker.locator("#partners")).to_contain_text("还没有人接受邀请。")
            await shot(booker, output_dir, "1-booker-unanswered")
            await invitations.get_by_role("button", name="撤回").click()
            await expect(booker.get_by_text("邀请已撤回。")).to_be_visible()
            await expect(booker.locator("#invitations")).to_have_count(0)
            await booker.get_by_label("同伴 1 的会员卡号").fill(partner.card_no)
            await booker.get_by_role("button", name="保存同伴").click()
            await expect(booker.locator("#invitations")).to_contain_text(partner.card_no)

            mate = await _phone(browser, base, partner.card_no)
            message = mate.locator("#messages article").first
            await expect(message).to_contain_text(f"{BOOKER} 邀请您作为同伴一起打球：羽毛球馆")
            await shot(mate, output_dir, "2-partner-message")
            await message.get_by_role("link", name="查看邀请").click()
            await expect(mate.locator("#invitation")).to_contain_text(BOOKER)
            await shot(mate, output_dir, "3-partner-invitation")
            await mate.get_by_role("button", name="接受邀请").click()
            await expect(mate.get_by_text("您已加入这个预约。")).to_be_visible()

            await booker.goto("/inbox")
            told = booker.locator("#messages article").first
            await expect(told).to_contain_text(f"<**（卡号 {partner.card_no}）已接受您的邀请")
            await shot(booker, output_dir, "4-booker-message")
            await told.get_by_role("link", name="查看预约").click()
            await expect(booker.locator("#partners")).to_contain_text(
                f"<** ({partner.card_no}) 已接受"
            )
            await expect(booker.locator("body")).not_to_contain_text("孙")
            await shot(booker, output_dir, "5-booker-booking")
