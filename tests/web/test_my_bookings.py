"""My bookings over HTTP: upcoming first, the history a page at a time."""

import re
from datetime import timedelta

import httpx

from palace.models import Booking, BookingStatus, Member, Slot, SlotKind
from palace.services.booking import booking_views, bookings
from palace.services.core import clock
from tests.helpers import court, log_in, make_hall, make_member, slot_at, visible_text

HTMX = {"HX-Request": "true"}
PAGE = booking_views.HISTORY_PAGE


async def _past_bookings(member: Member, count: int) -> None:
    """``count`` bookings over, one a day going back from yesterday; every third cancelled."""
    hall = await make_hall(code="gym", courts=1, capacity=100)
    resource = await court(hall)
    for n in range(1, count + 1):
        start = slot_at(days=-n, hour=9)
        slot = await Slot.create(
            resource=resource,
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            capacity=100,
            kind=SlotKind.GRID,
        )
        await Booking.create(
            slot=slot,
            member=member,
            facility=hall,
            resource=resource,
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            status=BookingStatus.CANCELLED if n % 3 == 0 else BookingStatus.CONFIRMED,
        )


def _card_ids(html: str) -> list[str]:
    return re.findall(r'href="/bookings/(\d+)"', html)


async def test_upcoming_first_then_history_a_page_at_a_time(client: httpx.AsyncClient) -> None:
    me = await make_member()
    await log_in(client, me)
    await _past_bookings(me, PAGE * 2 + 5)
    hall = await make_hall()
    upcoming = await bookings.book(
        member_id=me.id, resource_id=(await court(hall)).id, starts_at=slot_at()
    )
    html = (await client.get("/bookings")).text
    upcoming_part, history_part = html.split('id="history"', 1)
    assert f'href="/bookings/{upcoming.id}"' in upcoming_part
    first = _card_ids(history_part.split('id="history-more"')[0])
    assert len(set(first)) == PAGE
    newest = await Booking.filter(member_id=me.id, ends_at__lte=clock.now()).order_by("-starts_at")
    assert first[0] == str(newest[0].id)
    assert 'href="/bookings?history=2#history"' in html
    assert "显示更多" in visible_text(html)

    more = await client.get("/bookings?history=2", headers=HTMX)
    assert more.status_code == 200
    assert "<html" not in more.text and str(upcoming.id) not in _card_ids(more.text)
    second = _card_ids(more.text.split('id="history-more"')[0])
    assert len(set(second)) == PAGE and not set(second) & set(first)
    assert 'hx-get="/bookings?history=3"' in more.text

    # Without JavaScript the link is a page of its own; the last page has no link on.
    last = await client.get("/bookings?history=3")
    assert len(set(_card_ids(last.text.split('id="history"', 1)[1]))) == 5
    assert "history-more" not in last.text


async def test_a_bad_history_page_gets_a_message(client: httpx.AsyncClient) -> None:
    await log_in(client, await make_member())
    for bad in ["0", "-1", "x", "99999999", "２", "1.5", ""]:
        response = await client.get(f"/bookings?history={bad}", follow_redirects=True)
        assert response.status_code == 200, bad
        assert "没有这一页预约记录" in visible_text(response.text), bad
    beyond = await client.get("/bookings?history=50")
    assert beyond.status_code == 200
    assert "history-more" not in beyond.text
