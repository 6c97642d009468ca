"""A member's first visit on a phone, and an administrator's desk, in a real browser."""

from pathlib import Path

from playwright.async_api import Page, expect

from palace.models import Member, Role
from tests.e2e.browser import DESK, PHONE, chromium
from tests.helpers import PASSWORD, make_member
from tests.processes import web_server


async def shot(page: Page, folder: Path, name: str) -> None:
    await page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


async def test_register_log_in_switch_language_log_out(output_dir: Path) -> None:
    with web_server() as base:
        async with chromium() as browser:
            page = await (await browser.new_context(**PHONE, base_url=base)).new_page()
            await page.goto("/")
            await expect(page.get_by_role("heading", name="工人文化宫")).to_be_visible()
            await shot(page, output_dir, "1-home-zh")

            await page.get_by_role("link", name="注册").first.click()
            await page.get_by_label("工会会员卡号").fill("7700 8800")
            await page.get_by_label("姓名").fill("陈静")
            await page.get_by_label("手机号").fill("139 0000 1111")
            await page.get_by_label("密码").fill("12")
            await page.get_by_role("button", name="创建账户").click()
            await expect(page.get_by_text("密码至少需要 8 个字符。")).to_be_visible()
            await expect(page.get_by_label("姓名")).to_have_value("陈静")
            await shot(page, output_dir, "2-register-error")
            await page.get_by_label("密码").fill("spring-rain-7")
            await page.get_by_role("button", name="创建账户").click()
            await expect(page.get_by_role("heading", name="您好，陈静")).to_be_visible()
            await expect(page.get_by_text("欢迎！您的账户已创建。")).to_be_visible()
            await shot(page, output_dir, "3-registered")

            await page.get_by_role("button", name="退出").click()
            await expect(page.get_by_text("您已退出登录。")).to_be_visible()
            await page.get_by_label("工会会员卡号或手机号").fill("13900001111")
            await page.get_by_label("密码").fill("spring-rain-7")
            await page.get_by_role("button", name="登录").click()
            await expect(page.get_by_role("heading", name="您好，陈静")).to_be_visible()

            await page.get_by_role("button", name="English").click()
            await expect(page.get_by_role("heading", name="Hello, 陈静")).to_be_visible()
            await expect(page.get_by_role("link", name="My account")).to_be_visible()
            await shot(page, output_dir, "4-english")
            await page.get_by_role("button", name="中文").click()
            await expect(page.get_by_role("heading", name="您好，陈静")).to_be_visible()

            await page.get_by_role("button", name="退出").click()
            await expect(page.get_by_role("heading", name="登录")).to_be_visible()
            await shot(page, output_dir, "5-logged-out")
    member = await Member.get(card_no="77008800")
    assert member.language == "zh-CN"


async def test_admin_changes_a_role_with_a_reason_after_confirming(output_dir: Path) -> None:
    admin = await make_member(role=Role.ADMIN, name="刘管理")
    member = await make_member(name="黄会员")
    with web_server() as base:
        async with chromium() as browser:
            page = await (await browser.new_context(**DESK, base_url=base)).new_page()
            await page.goto("/admin/members")
            await page.get_by_label("工会会员卡号或手机号").fill(admin.card_no)
            await page.get_by_label("密码").fill(PASSWORD)
            await page.get_by_role("button", name="登录").click()
            await expect(page.get_by_role("heading", name="账户管理")).to_be_visible()
            await page.locator(f"#member-{member.id}").get_by_role("link", name="黄会员").click()
            form = page.locator("#role-form")
            await form.get_by_label("新角色").select_option("staff")
            await form.get_by_label("原因（记录在案）").fill("负责课程安排")
            await form.get_by_role("button", name="继续").click()
            confirm = page.locator("#confirm-change")
            await expect(confirm).to_contain_text("会员 → 工作人员")
            await expect(confirm).to_contain_text("负责课程安排")
            await shot(page, output_dir, "admin-confirm-role")
            assert (await Member.get(id=member.id)).role == Role.MEMBER  # asked, not made
            await confirm.get_by_role("button", name="确认").click()
            await expect(page.get_by_text("已保存。")).to_be_visible()
            await expect(page.locator("#account-facts")).to_contain_text("工作人员")
            await shot(page, output_dir, "admin-role-changed")
    assert (await Member.get(id=member.id)).role == Role.STAFF
