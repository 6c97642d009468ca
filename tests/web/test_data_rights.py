"""My account → your data: the download, and closing the account with the password."""

import json

import httpx

from palace.models import AuditEvent, Booking, BookingStatus, Member
from palace.services.booking import bookings
from tests.helpers import PASSWORD, court, log_in, make_hall, make_member, post_form, slot_at


async def test_the_member_downloads_their_data_as_json(client: httpx.AsyncClient) -> None:
    member, other = await make_member(), await make_member()
    resource = await court(await make_hall())
    mine = await bookings.book(member_id=member.id, resource_id=resource.id, starts_at=slot_at())
    await bookings.book(member_id=other.id, resource_id=resource.id, starts_at=slot_at(hour=12))
    await log_in(client, member)
    account = await client.get("/account")
    assert 'href="/account/data"' in account.text and 'href="/account/close"' in account.text
    response = await client.get("/account/data")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["content-disposition"].startswith("attachment;")
    data = json.loads(response.text)
    assert data["profile"]["card_no"] == member.card_no
    assert [b["id"] for b in data["bookings"]] == [mine.id]
    assert other.card_no not in response.text and other.phone not in response.text


async def test_closing_asks_for_the_password_then_logs_out_for_good(
    client: httpx.AsyncClient,
) -> None:
    member = await make_member(language="en")
    resource = await court(await make_hall())
    booking = await bookings.book(member_id=member.id, resource_id=resource.id, starts_at=slot_at())
    await log_in(client, member)
    wrong = await post_form(client, "/account/close", {"password": "guess"}, page="/account/close")
    assert wrong.status_code == 400 and "The current password is not correct." in wrong.text
    assert (await Member.get(id=member.id)).card_no == member.card_no
    done = await post_form(client, "/account/close", {"password": PASSWORD}, page="/account/close")
    assert done.status_code == 303 and done.headers["location"] == "/login"
    assert (await Booking.get(id=booking.id)).status == BookingStatus.CANCELLED_BY_PALACE
    assert await AuditEvent.exists(entity="booking", entity_id=booking.id, action="book")
    # Logged out, and the old card and password open nothing.
    assert (await client.get("/account")).status_code == 303
    again = await post_form(client, "/login", {"login": member.card_no, "password": PASSWORD})
    assert again.status_code == 400
