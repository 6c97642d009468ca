"""A ballot on phones: a member enters with two choices and a partner; a real worker draws
it; the winner finds the booking and the message, a loser reads their new weight; the
fairness page shows the draw and the verify page says the published file matches."""

import uuid
from datetime import timedelta
from pathlib import Path

from arq import create_pool
from arq.connections import RedisSettings
from playwright.async_api import Browser, Page, expect

from palace.models import Ballot, BallotEntry, BallotState, Booking, BookingSource, EntryOutcome
from palace.services.core import clock
from palace.settings import get_settings
from tests.e2e.browser import PHONE, chromium
from tests.e2e.test_accounts_journey import shot
from tests.fairness_helpers import enter, key, make_ballot
from tests.helpers import PASSWORD, make_hall, make_member, make_members
from tests.processes import palace, web_server
from workers.main import QUEUE


async def _phone(browser: Browser, base: str, card_no: str, path: str) -> Page:
    page = await (await browser.new_context(**PHONE, base_url=base)).new_page()
    await page.goto(path)
    await page.get_by_label("工会会员卡号或手机号").fill(card_no)
    await page.get_by_label("密码").fill(PASSWORD)
    await page.get_by_role("button", name="登录").click()
    await expect(page.locator("#logout")).to_be_visible()
    return page


async def _draw_by_a_real_worker(ballot: Ballot) -> None:
    """Entries close and the draw is due: the worker's minute job does the rest."""
    past = clock.now() - timedelta(seconds=1)
    await Ballot.filter(id=ballot.id).update(closes_at=past, draw_at=past)
    pool = await create_pool(RedisSettings.from_dsn(get_settings().redis_url))
    await pool.enqueue_job("ballot_sweep", _queue_name=QUEUE, _job_id=f"sweep-{uuid.uuid4()}")
    await pool.aclose()
    result = palace("worker", "--burst", timeout=120)
    assert result.returncode == 0, result.stderr
    assert (await Ballot.get(id=ballot.id)).state == BallotState.DRAWN


async def test_enter_draw_win_lose_and_check_the_draw(output_dir: Path) -> None:
    hall = await make_hall(courts=1, partners_allowed=True)
    ballot = await make_ballot(hall, weekdays=(1, 3))
    tuesday, thursday = key(ballot), key(ballot, 1)
    member, partner = await make_member(name="王芳"), await make_member(name="李强")
    # Two others want Tuesday only: whatever the order, the member wins one of the two
    # evenings (the second only where the first lost) and one of the others loses.
    others = await make_members(2)
    for other in others:
        await enter(ballot, other.id, tuesday)
    with web_server() as base:
        async with chromium() as browser:
            page = await _phone(browser, base, member.card_no, "/book")
            await page.get_by_role("link", name="黄金时段抽签分配：在这里报名").click()
            await page.get_by_role("link", name="羽毛球馆").click()
            await expect(page.locator("#weight")).to_contain_text("您的权重：1")
            await page.get_by_label("第 1 志愿").select_option(tuesday)
            await page.get_by_label("第 2 志愿").select_option(thursday)
            await page.get_by_label("搭档 1").fill(partner.card_no)
            await shot(page, output_dir, "1-entry-form")
            await page.get_by_role("button", name="报名抽签").click()
            await expect(page.get_by_text("报名已保存")).to_be_visible()
            await expect(page.locator("#entered")).to_be_visible()
            entry = await BallotEntry.get(ballot_id=ballot.id, member_id=member.id)
            assert entry.choices == [tuesday, thursday] and entry.partner_cards == [partner.card_no]

            await _draw_by_a_real_worker(ballot)
            booking = await Booking.get(member_id=member.id, source=BookingSource.BALLOT)
            await page.goto("/bookings")
            await expect(page.locator(f"#booking-{booking.id}")).to_be_visible()
            await expect(page.locator("#ballot-entries")).to_contain_text("中签")
            await shot(page, output_dir, "2-winner-bookings")
            await page.goto("/inbox")
            await expect(page.locator("#messages article").first).to_contain_text(
                "您抽中了场地：羽毛球馆 · 1号场"
            )
            await shot(page, output_dir, "3-winner-inbox")

            lost = await BallotEntry.filter(ballot_id=ballot.id, outcome=EntryOutcome.LOST)
            loser = next(o for o in others if o.id in {e.member_id for e in lost})
            other_page = await _phone(browser, base, loser.card_no, "/bookings")
            await expect(other_page.locator("#ballot-entries")).to_contain_text(
                "本次未中签。您在本场馆下次抽签的权重：2。"
            )
            await shot(other_page, output_dir, "4-loser-weight")

            await other_page.goto("/fairness")
            await expect(other_page.locator(f"#draw-{ballot.id}")).to_contain_text("中签率")
            await shot(other_page, output_dir, "5-fairness")
            published = await other_page.request.get(f"/ballots/{ballot.id}/draw.json")
            await other_page.goto("/verify")
            await other_page.get_by_label("或粘贴文件内容").fill(await published.text())
            await other_page.get_by_role("button", name="核验").click()
            await expect(other_page.locator("#verdict")).to_contain_text("一致")
            await expect(other_page.locator("#verdict")).not_to_contain_text("不一致")
            await shot(other_page, output_dir, "6-verified")
