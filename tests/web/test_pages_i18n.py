"""Every page, in Chinese and in English, shows no text left in the other language."""

import re
from datetime import timedelta

import httpx
import pytest

from palace.demo import seed as demo
from palace.models import (
    Ballot,
    Booking,
    ClassSession,
    Facility,
    Instructor,
    Member,
    OpeningQueue,
    Resource,
    Role,
)
from palace.services.booking import bookings, tickets
from palace.services.core import clock
from palace.services.fairness import opening_queue
from tests.class_helpers import plain_session
from tests.fairness_helpers import make_ballot
from tests.helpers import log_in, make_member, post_form, slot_at, visible_text
from tests.queue_helpers import queue_times
from tests.web.test_access import ID_PAGES, PAGES

# Words that are right on a Chinese page: the switch to English names itself in English.
ZH_ALLOWED = {"English"}
# Text that is right on an English page: the switch to Chinese names itself in Chinese.
EN_ALLOWED = {"中文"}
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+")


def foreign_words(text: str, lang: str) -> set[str]:
    if lang == "zh-CN":
        return set(LATIN_WORD.findall(text)) - ZH_ALLOWED
    return set(CJK.findall(text)) - EN_ALLOWED


SHOWN_ATTRIBUTES = re.compile(r'(?:placeholder|aria-label|title|alt)="([^"]*)"')


def page_text(html: str) -> str:
    """What a person reads or hears: the title, the text, and labels kept in attributes."""
    title = re.search(r"<title>(.*?)</title>", html, re.S)
    labels = " ".join(SHOWN_ATTRIBUTES.findall(html))
    return " ".join([title.group(1) if title else "", visible_text(html), labels])


async def switch(client: httpx.AsyncClient, lang: str) -> None:
    response = await post_form(client, "/language", {"lang": lang, "next": "/"}, page="/")
    assert response.status_code == 303


async def crawl(client: httpx.AsyncClient, lang: str) -> dict[str, set[str]]:
    problems: dict[str, set[str]] = {}
    target = await Member.filter(role=Role.MEMBER).first()
    assert target is not None
    booking = await Booking.get()
    code = tickets.token_for(booking.id)
    extra = [
        *("/desk?q=T", "/desk?q=99999999", "/admin/members?q=T", "/no-such-page"),
        *(f"/desk/scan?code={code}", "/desk/scan?code=forged", "/book/gym"),
        *("/classes?week=nonsense", "/staff/classes?week=2026-13-01"),
        *(f"/book/badminton?day={(clock.today() + timedelta(days=n)).isoformat()}" for n in (1, 8)),
    ]
    # Calendar files are for calendar apps, not pages; test_calendars checks their language.
    facility = await Facility.get(code="badminton")
    session = await ClassSession.first() or await plain_session()
    values = {"member_id": target.id, "code": "badminton", "booking_id": booking.id,
              "schedule_id": session.schedule_id, "session_id": session.id}  # fmt: skip
    values["slot_id"] = booking.slot_id
    values["ballot_id"] = (await Ballot.first() or await make_ballot(facility)).id
    queue = await OpeningQueue.first() or await opening_queue.queue_for(
        facility.id, await queue_times(facility)
    )
    values |= {"day": queue.day.isoformat(), "queue_id": queue.id}
    ids = [
        path.format(**values, facility_id=facility.id)
        for path in ID_PAGES
        if not path.endswith(".ics")
    ]
    for path in [*PAGES, *extra, *ids]:
        machines = ("/healthz", "/readyz", "/metrics", "/account/data")
        if path in machines or path.endswith((".csv", ".json")):
            continue  # JSON or text for machines; a CSV for Excel (test_attendance checks it)
        response = await client.get(path)
        # 286: the Now board's fragment when nothing more is on today.
        assert response.status_code in (200, 286, 303, 400, 404), path
        if words := foreign_words(page_text(response.text), lang):
            problems[path] = words
    return problems


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
async def test_every_page_in_one_language(client: httpx.AsyncClient, lang: str) -> None:
    await demo.seed_demo()
    name = "测试管理员" if lang == "zh-CN" else "Test Admin"
    if lang == "en":
        await Member.all().update(name="Demo Person")  # data, not interface text
        await Instructor.all().update(name="Demo Teacher")
    admin = await make_member(role=Role.ADMIN, name=name)
    hall = await Resource.get(facility__code="badminton", code="c1")
    await bookings.book(member_id=admin.id, resource_id=hall.id, starts_at=slot_at(hour=10))
    await switch(client, lang)
    anonymous = await crawl(client, lang)
    await log_in(client, admin)
    logged_in = await crawl(client, lang)
    assert anonymous == {}
    assert logged_in == {}


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
async def test_error_messages_in_one_language(client: httpx.AsyncClient, lang: str) -> None:
    await switch(client, lang)
    bad = {"card_no": "1", "name": "", "phone": "2", "password": "3"}
    responses = [
        await post_form(client, "/register", bad, page="/register"),
        await post_form(client, "/login", {"login": "nobody", "password": "x"}),
        await client.post("/login", data={"login": "x"}),
        await client.put("/login"),
        await post_form(client, "/register", {"name": "x" * 2_000_000}),
        await client.get("/logout"),
    ]
    for _ in range(6):  # the sixth is throttled
        responses.append(await post_form(client, "/login", {"login": "T0000001", "password": "x"}))
    statuses = {r.status_code for r in responses}
    assert statuses == {400, 403, 405, 413, 429}
    for response in responses:
        assert foreign_words(page_text(response.text), lang) == set(), response.status_code


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
async def test_temporary_password_page_in_one_language(
    client: httpx.AsyncClient, lang: str
) -> None:
    name = "前台" if lang == "zh-CN" else "Desk Person"
    await log_in(client, await make_member(role=Role.DESK, name=name))
    await switch(client, lang)
    member = await make_member(name="会员" if lang == "zh-CN" else "Some Member")
    response = await post_form(client, f"/desk/members/{member.id}/password", {}, page="/desk")
    assert response.status_code == 200
    temporary = response.text.split('id="temporary-password">')[1].split("<")[0]
    assert foreign_words(page_text(response.text).replace(temporary, ""), lang) == set()


def test_the_check_itself_notices_a_stray_word() -> None:
    assert foreign_words("首页 Home 登录", "zh-CN") == {"Home"}
    assert foreign_words("Home 首页 Log in", "en") == {"首页"}
