import logging
import re

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request

from palace.models import AuditEvent, Booking, CalendarFeed, Member
from palace.services.booking import bookings, calendars
from palace.web.calendars import feed_context
from palace.web.templating import templates_for
from tests.helpers import court, csrf_token, log_in, make_hall, make_member, post_form, slot_at


async def _booking(member: Member) -> Booking:
    hall = await make_hall()
    return await bookings.book(
        member_id=member.id, resource_id=(await court(hall)).id, starts_at=slot_at()
    )


def _anonymous(client: httpx.AsyncClient) -> httpx.AsyncClient:
    """Another client on the same app, like a calendar app: no cookies, no session."""
    return httpx.AsyncClient(transport=client._transport, base_url=client.base_url)


async def _htmx_post(client: httpx.AsyncClient, path: str) -> httpx.Response:
    token = await csrf_token(client, "/account")
    headers = {"Origin": str(client.base_url).rstrip("/"), "HX-Request": "true"}
    return await client.post(path, data={"csrf_token": token}, headers=headers)


def _feed_url_in(html: str) -> str:
    found = re.search(r'id="calendar-feed-url"[^>]*value="([^"]+)"', html)
    assert found, "no calendar address shown"
    return found.group(1)


async def test_a_member_downloads_their_booking(client: httpx.AsyncClient) -> None:
    member = await make_member()
    booking = await _booking(member)
    await log_in(client, member)
    response = await client.get(f"/bookings/{booking.id}/booking.ics")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert response.headers["content-disposition"] == (
        f'attachment; filename="booking-{booking.id}.ics"'
    )
    assert response.content.startswith(b"BEGIN:VCALENDAR\r\n")
    assert f"UID:booking-{booking.id}@palace\r\n" in response.text
    assert "SUMMARY:羽毛球馆 · 1号场\r\n" in response.text  # the member's language


async def test_someone_elses_booking_is_not_found_and_shows_nothing(
    client: httpx.AsyncClient,
) -> None:
    owner = await make_member(name="王秀英")
    booking = await _booking(owner)
    await log_in(client, await make_member())
    theirs = await client.get(f"/bookings/{booking.id}/booking.ics")
    missing = await client.get(f"/bookings/{booking.id + 1000}/booking.ics")
    junk = await client.get("/bookings/abc/booking.ics")
    assert theirs.status_code == missing.status_code == junk.status_code == 404
    assert "content-disposition" not in theirs.headers
    # The same page as for a booking that does not exist, but for the address it names.
    assert theirs.text.replace(f"/{booking.id}/", "/N/") == missing.text.replace(
        f"/{booking.id + 1000}/", "/N/"
    )
    for secret in ("VCALENDAR", "羽毛球馆", "王秀英"):
        assert secret not in theirs.text


async def test_downloading_a_booking_needs_a_log_in(client: httpx.AsyncClient) -> None:
    booking = await _booking(await make_member())
    response = await client.get(f"/bookings/{booking.id}/booking.ics")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


async def test_a_calendar_app_reads_the_feed_without_a_session(
    client: httpx.AsyncClient,
) -> None:
    member = await make_member(language="en")
    booking = await _booking(member)
    feed = await calendars.create_or_reset_feed(member_id=member.id)
    async with _anonymous(client) as app_client:
        response = await app_client.get(f"/calendar/{feed.token}.ics")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert response.headers["cache-control"] == "no-store"
    assert "set-cookie" not in response.headers
    assert f"UID:booking-{booking.id}@palace\r\n" in response.text
    assert "SUMMARY:Badminton hall · Court 1\r\n" in response.text  # the saved language


async def test_a_turned_off_or_replaced_address_is_a_plain_404(client: httpx.AsyncClient) -> None:
    member = await make_member(name="王秀英")
    await _booking(member)
    replaced = await calendars.create_or_reset_feed(member_id=member.id)
    current = await calendars.create_or_reset_feed(member_id=member.id)
    for token in (replaced.token, "no-such-address", "x" * 300):
        response = await client.get(f"/calendar/{token}.ics")
        assert response.status_code == 404, token
        assert response.headers["content-type"].startswith("text/plain")
        assert response.text == "Not Found"
    assert (await client.get(f"/calendar/{current.token}.ics")).status_code == 200
    await calendars.revoke_feed(member_id=member.id)
    gone = await client.get(f"/calendar/{current.token}.ics")
    assert (gone.status_code, gone.text) == (404, "Not Found")


async def test_the_feed_address_never_reaches_the_request_log(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    feed = await calendars.create_or_reset_feed(member_id=(await make_member()).id)
    with caplog.at_level(logging.INFO, logger="palace.request"):
        await client.get(f"/calendar/{feed.token}.ics")
    lines = [r.getMessage() for r in caplog.records if r.name == "palace.request"]
    assert any('"GET /calendar/….ics" 200' in line for line in lines)
    assert not any(feed.token in line for line in lines)


async def test_making_an_address_redirects_to_my_bookings_with_a_message(
    client: httpx.AsyncClient,
) -> None:
    member = await make_member(language="en")
    await log_in(client, member)
    response = await post_form(client, "/calendar/feed", {}, page="/account")
    assert response.status_code == 303
    assert response.headers["location"] == "/bookings"
    assert await CalendarFeed.filter(member_id=member.id).exists()
    # The message waits in the session for the next page.
    assert "Your calendar address is ready." in (await client.get("/account")).text
    await post_form(client, "/calendar/feed/revoke", {}, page="/account")
    assert not await CalendarFeed.filter(member_id=member.id).exists()
    assert "Your calendar address is turned off." in (await client.get("/account")).text


async def test_htmx_gets_the_partial_through_create_reset_and_turn_off(
    client: httpx.AsyncClient,
) -> None:
    member = await make_member(language="en")
    await log_in(client, member)
    created = await _htmx_post(client, "/calendar/feed")
    assert created.status_code == 200
    assert created.text.lstrip().startswith('<section id="calendar-feed"')
    assert "<html" not in created.text
    first_url = _feed_url_in(created.text)
    token = (await CalendarFeed.get(member_id=member.id)).token
    assert first_url == f"http://testserver/calendar/{token}.ics"
    assert f'href="webcal://testserver/calendar/{token}.ics"' in created.text
    assert "Your calendar address is ready." in created.text
    assert "Make a new address (the old one stops working)" in created.text
    assert 'name="csrf_token"' in created.text

    reset = await _htmx_post(client, "/calendar/feed")
    second_url = _feed_url_in(reset.text)
    assert second_url != first_url
    assert "The old one no longer works." in reset.text
    async with _anonymous(client) as app_client:
        assert (await app_client.get(first_url)).status_code == 404
        assert (await app_client.get(second_url)).status_code == 200

        off = await _htmx_post(client, "/calendar/feed/revoke")
        assert off.text.lstrip().startswith('<section id="calendar-feed"')
        assert "Your calendar address is turned off." in off.text
        assert "Create address" in off.text and "calendar-feed-url" not in off.text
        assert (await app_client.get(second_url)).status_code == 404
    actions = await AuditEvent.filter(entity="calendar_feed").values_list("action", flat=True)
    assert actions == ["create", "reset", "revoke"]


async def test_feed_changes_need_the_csrf_token(client: httpx.AsyncClient) -> None:
    member = await make_member()
    await log_in(client, member)
    origin = {"Origin": str(client.base_url).rstrip("/")}
    refused = await client.post("/calendar/feed", data={}, headers=origin)
    assert refused.status_code == 403
    assert not await CalendarFeed.filter(member_id=member.id).exists()
    feed = await calendars.create_or_reset_feed(member_id=member.id)
    for path in ("/calendar/feed", "/calendar/feed/revoke"):
        forged = await client.post(path, data={"csrf_token": "forged"}, headers=origin)
        assert forged.status_code == 403, path
    assert (await CalendarFeed.get(member_id=member.id)).token == feed.token


async def test_feed_changes_need_a_log_in(client: httpx.AsyncClient) -> None:
    response = await post_form(client, "/calendar/feed", {})
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")
    assert await CalendarFeed.all().count() == 0


def _request(app: Starlette, member: Member) -> Request:
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/bookings",
        "scheme": "https",
        "server": ("palace.example", 443),
        "headers": [(b"host", b"palace.example")],
        "query_string": b"",
        "app": app,
        "router": app.router,
        "state": {"member": member},
    }
    return Request(scope)


async def test_the_bookings_page_can_include_the_partial_from_feed_context(
    app: Starlette,
) -> None:
    member = await make_member()
    request = _request(app, member)
    template = templates_for("en").get_template("bookings/_calendar_feed.html")
    without = await feed_context(request)
    assert without == {"feed": None, "feed_url": None}
    assert "Create address" in template.render(csrf_token="t", **without)
    feed = await calendars.create_or_reset_feed(member_id=member.id)
    context = await feed_context(request)
    assert context["feed_url"] == f"https://palace.example/calendar/{feed.token}.ics"
    html = template.render(csrf_token="t", **context)
    assert f'value="https://palace.example/calendar/{feed.token}.ics"' in html
    assert "Turn off" in html
