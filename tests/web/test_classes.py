"""Member class pages over HTTP: the week, one-tap booking, just taken, children, My bookings."""

import re
from datetime import datetime

import httpx
import pytest

from palace.models import (
    Booking,
    BookingStatus,
    Child,
    ClassSession,
    Member,
    Slot,
    WaitlistEntry,
    WaitStatus,
)
from palace.services.booking import releases
from palace.services.classes import classes
from palace.services.core.errors import ServiceError
from palace.services.waitlist import promotions, waitlists
from tests.class_helpers import freeze, make_class_type, make_room, make_schedule
from tests.helpers import log_in, make_member, visible_text

HTMX = {"HX-Request": "true"}


async def _post(
    client: httpx.AsyncClient, path: str, data: dict[str, str] | None = None, *, htmx: bool = True
) -> httpx.Response:
    token = re.search(r'name="csrf-token" content="([^"]+)"', (await client.get("/classes")).text)
    assert token
    headers = {"Origin": str(client.base_url).rstrip("/"), **(HTMX if htmx else {})}
    return await client.post(path, data={**(data or {}), "csrf_token": token.group(1)},
                             headers=headers)  # fmt: skip


async def _first(**values: object) -> ClassSession:
    schedule = await make_schedule(**values)
    session = await ClassSession.filter(schedule_id=schedule.id).order_by("starts_at").first()
    assert session is not None
    return session


async def _member(client: httpx.AsyncClient, language: str = "zh-CN") -> Member:
    member = await make_member(language=language)
    await log_in(client, member)
    return member


@pytest.fixture(autouse=True)
def monday_morning(monkeypatch: pytest.MonkeyPatch) -> None:
    freeze(monkeypatch, datetime(2026, 11, 23, 10, 0))


async def test_the_week_shows_sessions_with_places_level_and_instructor(
    client: httpx.AsyncClient,
) -> None:
    await _first()
    await _member(client)
    page = visible_text((await client.get("/classes")).text)
    assert "11月24日周二" in page
    assert "19:30–20:30 瑜伽" in page
    assert "教练：陈静" in page
    assert "不限基础" in page
    assert "预约 · 剩 20 位" in page
    # Next week's sessions open a week ahead at 08:00: not yet bookable today.
    later = visible_text((await client.get("/classes?week=2026-11-30")).text)
    assert "11月24日周二 08:00 开放预约。" in later


async def test_one_tap_books_a_place_and_it_is_in_my_bookings(client: httpx.AsyncClient) -> None:
    session = await _first()
    member = await _member(client)
    response = await _post(client, f"/classes/sessions/{session.id}/book")
    assert response.status_code == 200
    assert f'id="session-{session.id}"' in response.text
    assert "预约成功：瑜伽" in visible_text(response.text)
    booking = await Booking.get(member_id=member.id)
    assert booking.slot_id == session.slot_id
    mine = visible_text((await client.get("/bookings")).text)
    assert "已确认 瑜伽 1号场 · 教练：陈静" in mine  # named by its class; the room is a fact
    detail = (await client.get(f"/bookings/{booking.id}")).text
    assert "教练：陈静" in visible_text(detail)
    ics = (await client.get(f"/bookings/{booking.id}/booking.ics")).text
    assert "SUMMARY:瑜伽\r\n" in ics


async def test_the_last_place_just_taken_is_a_409_in_the_members_language(
    client: httpx.AsyncClient,
) -> None:
    session = await _first(capacity="1")
    await classes.book(member_id=(await make_member()).id, session_id=session.id)
    await _member(client, language="en")
    response = await _post(client, f"/classes/sessions/{session.id}/book")
    assert response.status_code == 409
    assert "Sorry, that place was just taken." in response.text
    assert "Full" in visible_text(response.text)
    assert (await Slot.get(id=session.slot_id)).taken == 1


async def test_bad_session_ids_change_nothing(client: httpx.AsyncClient) -> None:
    await _first()
    await _member(client)
    for path in ("/classes/sessions/999999/book", "/classes/sessions/x/book"):
        response = await _post(client, path)
        assert response.status_code in (404,), path
    assert (await client.get("/classes?week=nonsense")).status_code == 303
    assert (await client.get("/classes?week=2030-01-01")).status_code == 303
    assert await Booking.all().count() == 0


async def test_a_childrens_class_is_booked_for_one_of_the_members_children(
    client: httpx.AsyncClient,
) -> None:
    club = await make_class_type(code="club", name_zh="少儿托管", name_en="Kids club",
                                 children=True)  # fmt: skip
    session = await _first(class_type=club, start="16:30", days=(0, 1, 2, 3, 4))
    member = await _member(client)
    page = visible_text((await client.get("/classes")).text)
    assert "请先在“我的账户”中添加孩子。" in page
    response = await _post(client, f"/classes/sessions/{session.id}/book")
    assert response.status_code == 400
    assert "这是少儿课程，请选择为哪个孩子预约。" in response.text
    child = await Child.create(parent_id=member.id, name="小明", birth_year=2018)
    stranger = await Child.create(parent_id=(await make_member()).id, name="别人", birth_year=2017)
    response = await _post(
        client, f"/classes/sessions/{session.id}/book", {"child": str(stranger.id)}
    )
    assert response.status_code == 400
    response = await _post(client, f"/classes/sessions/{session.id}/book", {"child": str(child.id)})
    assert response.status_code == 200
    booking = await Booking.get(member_id=member.id)
    assert (booking.child_id, booking.status) == (child.id, BookingStatus.CONFIRMED)
    assert "少儿托管 · 小明 1号场" in visible_text((await client.get("/bookings")).text)


async def test_without_javascript_booking_goes_back_to_the_week(client: httpx.AsyncClient) -> None:
    session = await _first()
    await _member(client)
    response = await _post(client, f"/classes/sessions/{session.id}/book", htmx=False)
    assert response.status_code == 303
    assert "已预约" in visible_text((await client.get("/classes")).text)


async def test_on_a_sunday_without_classes_left_the_next_week_is_shown(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _first()  # Tuesdays and Thursdays
    freeze(monkeypatch, datetime(2026, 11, 29, 10, 0))  # a Sunday
    await _member(client)
    page = visible_text((await client.get("/classes")).text)
    assert "11月30日周一 这一周" in page
    assert "12月1日周二 19:30–20:30 瑜伽" in page


def _card(html: str, session: ClassSession) -> str:
    found = re.search(rf'id="session-{session.id}".*?</article>', html, re.S)
    assert found, "the session is on the page"
    return found.group(0)


async def test_a_full_class_leads_to_its_waitlist_and_a_place_held_for_the_line_is_not_free(
    client: httpx.AsyncClient,
) -> None:
    session = await _first(capacity="1")
    holder, waiting = await make_member(), await make_member()
    booking = await classes.book(member_id=holder.id, session_id=session.id)
    await waitlists.join(member_id=waiting.id, slot_id=session.slot_id, mode="ask")
    await _member(client)
    card = _card((await client.get("/classes")).text, session)
    assert f'href="/waitlist/{session.slot_id}"' in card
    assert "已满" in visible_text(card) and "加入候补" in visible_text(card)
    assert "预约 · 剩" not in visible_text(card)
    # The holder cancels: the place is held for the one in line, not offered to all.
    await releases.cancel(member_id=holder.id, booking_id=booking.id)
    assert (await Slot.get(id=session.slot_id)).held == 1
    card = visible_text(_card((await client.get("/classes")).text, session))
    assert "已满" in card and "预约 · 剩" not in card
    line = visible_text((await client.get(f"/waitlist/{session.slot_id}")).text)
    assert "瑜伽" in line and "已有 1 人在排队。" in line


async def test_a_tap_refused_for_the_members_quota_offers_no_book_button_again(
    client: httpx.AsyncClient,
) -> None:
    schedule = await make_schedule(await make_room(max_active=1))
    first, second = await ClassSession.filter(schedule_id=schedule.id).order_by("starts_at")[:2]
    member = await _member(client)
    await classes.book(member_id=member.id, session_id=first.id)
    response = await _post(client, f"/classes/sessions/{second.id}/book")
    assert response.status_code == 400
    card = _card(response.text, second)
    assert "已达上限" in visible_text(response.text)
    assert 'class="book"' not in card and "剩 20 位" in visible_text(card)
    assert not await Booking.filter(member_id=member.id, slot_id=second.slot_id).exists()


async def _club(**values: object) -> ClassSession:
    club = await make_class_type(code="club", name_zh="少儿托管", name_en="Kids club",
                                 children=True)  # fmt: skip
    return await _first(class_type=club, start="16:30", days=(0, 1, 2, 3, 4), **values)


async def test_a_parent_books_a_second_child_into_a_session_the_first_child_has(
    client: httpx.AsyncClient,
) -> None:
    session = await _club()
    member = await _member(client)
    first = await Child.create(parent_id=member.id, name="小明", birth_year=2018)
    second = await Child.create(parent_id=member.id, name="小红", birth_year=2019)
    response = await _post(client, f"/classes/sessions/{session.id}/book", {"child": str(first.id)})
    assert response.status_code == 200
    assert "预约成功：少儿托管 · 小明" in visible_text(response.text)
    # The card still offers the place to the child without one, and only to that child.
    card = _card(response.text, session)
    assert 'class="book"' in card
    assert f'value="{second.id}"' in card and f'value="{first.id}"' not in card
    response = await _post(
        client, f"/classes/sessions/{session.id}/book", {"child": str(second.id)}
    )
    assert response.status_code == 200
    booked = await Booking.filter(member_id=member.id, status=BookingStatus.CONFIRMED)
    assert sorted(b.child_id for b in booked) == sorted([first.id, second.id])
    assert (await Slot.get(id=session.slot_id)).taken == 2
    # Every child has a place: nothing more to book, each child's code is there.
    card = _card((await client.get("/classes")).text, session)
    assert 'class="book"' not in card
    assert "小明的预约码" in visible_text(card) and "小红的预约码" in visible_text(card)
    again = await _post(client, f"/classes/sessions/{session.id}/book", {"child": str(first.id)})
    assert again.status_code == 409  # one place per child, however often it is tapped


async def test_a_full_childrens_class_has_a_line_per_child_and_a_promotion_books_the_child(
    client: httpx.AsyncClient,
) -> None:
    session = await _club(capacity="1")
    holder = await make_member()
    theirs = await Child.create(parent_id=holder.id, name="小红", birth_year=2017)
    held = await classes.book(member_id=holder.id, session_id=session.id, child_id=theirs.id)
    member = await _member(client)
    first = await Child.create(parent_id=member.id, name="小明", birth_year=2018)
    second = await Child.create(parent_id=member.id, name="小刚", birth_year=2019)
    card = _card((await client.get("/classes")).text, session)
    assert "已满" in visible_text(card) and f'href="/waitlist/{session.slot_id}"' in card
    page = (await client.get(f"/waitlist/{session.slot_id}")).text
    assert 'name="child"' in page and f'value="{first.id}"' in page
    with pytest.raises(ServiceError) as refused:  # a line's place here is a child's
        await waitlists.join(member_id=member.id, slot_id=session.slot_id, mode="auto")
    assert refused.value.code == "child_required"
    token = re.search(r'name="csrf-token" content="([^"]+)"', page)
    assert token
    origin = {"Origin": str(client.base_url).rstrip("/")}
    for child in (first, second):  # siblings both wait, each once
        data = {"mode": "auto", "child": str(child.id), "csrf_token": token.group(1)}
        response = await client.post(f"/waitlist/{session.slot_id}", data=data, headers=origin)
        assert response.status_code == 303
    with pytest.raises(ServiceError) as twice:
        await waitlists.join(
            member_id=member.id, slot_id=session.slot_id, mode="auto", child_id=first.id
        )
    assert twice.value.code == "already_waiting"
    line = visible_text((await client.get(f"/waitlist/{session.slot_id}")).text)
    assert "少儿托管 · 小明" in line and "少儿托管 · 小刚" in line
    # The place comes free: the first child in line gets it, booked for that child.
    await releases.cancel(member_id=holder.id, booking_id=held.id)
    await promotions.promote(slot_id=session.slot_id)
    promoted = await Booking.get(slot_id=session.slot_id, status=BookingStatus.CONFIRMED)
    assert (promoted.member_id, promoted.child_id) == (member.id, first.id)
    entries = {e.child_id: e.status for e in await WaitlistEntry.filter(member_id=member.id)}
    assert entries == {first.id: WaitStatus.BOOKED, second.id: WaitStatus.WAITING}
    inbox = visible_text((await client.get("/inbox")).text)
    assert "少儿托管 · 小明" in inbox
