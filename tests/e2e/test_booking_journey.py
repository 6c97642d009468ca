"""A member books a badminton court on a phone, finds it with its code, and cancels it."""

import io
from pathlib import Path

import zxingcpp
from PIL import Image
from playwright.async_api import expect

from palace.models import Booking, BookingStatus, Role, Slot
from tests.e2e.browser import DESK, PHONE, chromium
from tests.e2e.test_accounts_journey import shot
from tests.helpers import PASSWORD, make_hall, make_member
from tests.processes import web_server


def decode_qr(png: bytes) -> str:
    """What a real QR decoder reads from the picture on the screen."""
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(found) == 1 and found[0].format == zxingcpp.BarcodeFormat.QRCode
    return str(found[0].text)


async def test_member_books_a_court_sees_its_code_and_cancels(output_dir: Path) -> None:
    await make_hall(courts=4)
    member = await make_member(name="周立")
    desk = await make_member(role=Role.DESK)
    with web_server() as base:
        async with chromium() as browser:
            page = await (await browser.new_context(**PHONE, base_url=base)).new_page()
            await page.goto("/bookings")
            await page.get_by_label("工会会员卡号或手机号").fill(member.card_no)
            await page.get_by_label("密码").fill(PASSWORD)
            await page.get_by_role("button", name="登录").click()
            await expect(page.get_by_role("heading", name="我的预约")).to_be_visible()

            await page.get_by_role("link", name="预约", exact=True).click()
            await page.get_by_role("link", name="羽毛球馆").click()
            await expect(page.get_by_role("heading", name="羽毛球馆")).to_be_visible()
            await (
                page.locator("nav.days a").nth(1).click()
            )  # tomorrow: slots left whatever the hour
            await shot(page, output_dir, "1-timetable")

            court = page.get_by_role("button", name="预约 2号场 10:00")
            async with page.expect_response(lambda r: r.request.method == "POST") as posted:
                await court.click()
            assert (await posted.value).status == 200
            mine = page.locator("td.cell.mine")
            await expect(mine).to_have_count(1)
            await expect(page.get_by_text("预约成功：2号场")).to_be_visible()
            await expect(page.locator("#quota")).to_contain_text("您在本场馆的预约：1 / 2")
            await shot(page, output_dir, "2-booked")

            await page.get_by_role("link", name="我的预约").click()
            upcoming = page.locator("#upcoming")
            await expect(upcoming).to_contain_text("羽毛球馆 · 2号场")
            await upcoming.get_by_role("link").first.click()
            await expect(page.locator("#ticket svg")).to_be_visible()
            await expect(page.get_by_text("请在前台出示此二维码。")).to_be_visible()
            await shot(page, output_dir, "3-code")
            code = decode_qr(await page.locator("#ticket svg").screenshot())

            # The front desk's scanner types what it reads and presses Enter.
            desk_page = await (await browser.new_context(**DESK, base_url=base)).new_page()
            await desk_page.goto("/desk/scan")
            await desk_page.get_by_label("工会会员卡号或手机号").fill(desk.card_no)
            await desk_page.get_by_label("密码").fill(PASSWORD)
            await desk_page.get_by_role("button", name="登录").click()
            await desk_page.get_by_label("扫描或输入预约码").fill(code)
            await desk_page.keyboard.press("Enter")
            await expect(desk_page.locator("#scan-result")).to_contain_text("周立")
            await expect(desk_page.locator("#scan-result")).to_contain_text("2号场")
            await shot(desk_page, output_dir, "3-desk-reads-the-code")

            page.once("dialog", lambda dialog: dialog.accept())
            await page.get_by_role("button", name="取消这个预约").click()
            await expect(page.get_by_text("已取消，名额已释放给其他会员。")).to_be_visible()
            history = page.locator("#history")  # past and cancelled bookings
            await expect(history).to_contain_text("2号场")
            await expect(history).to_contain_text("已取消")
            await expect(page.locator("#upcoming")).to_contain_text("暂无即将到来的预约。")
            await shot(page, output_dir, "4-cancelled")
    booking = await Booking.get(member_id=member.id)
    assert booking.status == BookingStatus.CANCELLED
    assert (await Slot.get(id=booking.slot_id)).taken == 0
