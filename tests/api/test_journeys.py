"""The member and desk journeys through the API, each calling the pages' services:
lines and offers, partners, the inbox, the calendar address, children, classes, and
the desk's check-in, Now board and walk-ins."""

from datetime import timedelta

import httpx
import pytest

from palace.models import Booking, BookingStatus, Role, TokenScope, WaitlistEntry
from palace.services.booking import bookings, releases
from palace.services.core import clock
from palace.services.waitlist import promotions
from tests.api.helpers import call, token_for
from tests.class_helpers import plain_session
from tests.helpers import court, make_hall, make_member, slot_at


async def _taken(hall_code: str = "gym") -> tuple[Booking, int]:
    hall = await make_hall(code=hall_code, courts=1)
    holder = await make_member()
    booking = await bookings.book(member_id=holder.id, resource_id=(await court(hall)).id,
                                  starts_at=slot_at(days=3))  # fmt: skip
    return booking, booking.slot_id


async def test_a_line_an_offer_and_the_inbox(client: httpx.AsyncClient) -> None:
    held, slot_id = await _taken()
    member = await make_member()
    secret = await token_for(member)
    joined = await call(client, "POST", f"/slots/{slot_id}/waitlist", secret, json={"mode": "ask"})
    assert joined.status_code == 201, joined.text
    line = joined.json()["mine"][0]
    assert line["position"] == 1 and line["status"] == "waiting"
    again = await call(client, "POST", f"/slots/{slot_id}/waitlist", secret, json={"mode": "ask"})
    assert again.status_code == 400 and again.json()["code"] == "already_waiting"
    await releases.cancel(member_id=held.member_id, booking_id=held.id)
    await promotions.promote(slot_id=slot_id)
    assert (await call(client, "GET", "/inbox/unread", secret)).json()["count"] >= 1
    messages = (await call(client, "GET", "/inbox", secret)).json()
    offer = next(m for m in messages if m["offer_entry_id"])
    assert offer["offer_entry_id"] == line["entry_id"]
    accepted = await call(client, "POST", f"/offers/{line['entry_id']}/accept", secret)
    assert accepted.status_code == 200 and accepted.json()["state"] == "confirmed"
    assert (await call(client, "POST", "/inbox/read", secret)).json() == {"count": 0}
    other = await token_for(await make_member())
    assert (
        await call(client, "POST", f"/offers/{line['entry_id']}/decline", other)
    ).status_code == 404


async def test_leaving_a_line(client: httpx.AsyncClient) -> None:
    _held, slot_id = await _taken()
    member = await make_member()
    secret = await token_for(member)
    await call(client, "POST", f"/slots/{slot_id}/waitlist", secret, json={"mode": "auto"})
    entry = await WaitlistEntry.get(member_id=member.id)
    mine = (await call(client, "GET", "/waitlists", secret)).json()
    assert [line["entry_id"] for line in mine] == [entry.id]
    left = await call(client, "POST", f"/waitlist/entries/{entry.id}/leave", secret)
    assert left.status_code == 204
    assert (await call(client, "GET", f"/slots/{slot_id}/waitlist", secret)).json()["mine"] == []


async def test_partners_are_invited_answer_and_are_withdrawn(client: httpx.AsyncClient) -> None:
    hall = await make_hall(partners_allowed=True)
    booker, partner, third = await make_member(), await make_member(), await make_member()
    mine = await token_for(booker)
    body = {"resource_id": (await court(hall)).id, "starts_at": slot_at().isoformat()}
    booking_id = (await call(client, "POST", "/bookings", mine, json=body)).json()["id"]
    cards = {"cards": [partner.card_no, third.card_no]}
    sent = await call(client, "PUT", f"/bookings/{booking_id}/partners", mine, json=cards)
    assert sent.status_code == 200 and {s["status"] for s in sent.json()} == {"pending"}
    theirs = await token_for(partner)
    waiting = (await call(client, "GET", "/invitations", theirs)).json()
    assert [i["booking_id"] for i in waiting] == [booking_id]
    answer = await call(client, "POST", f"/bookings/{booking_id}/invitation", theirs,
                        json={"accept": True})  # fmt: skip
    assert answer.json()["status"] == "accepted"
    assert (await call(client, "GET", f"/bookings/{booking_id}", theirs)).json()["mine"] is False
    pending = next(s for s in sent.json() if s["card_no"] == third.card_no)
    path = f"/bookings/{booking_id}/invitations/{pending['id']}/withdraw"
    assert (await call(client, "POST", path, mine)).status_code == 200
    assert (await call(client, "POST", f"/bookings/{booking_id}/leave", theirs)).json()[
        "status"
    ] == "left"


async def test_calendar_address_and_children(client: httpx.AsyncClient) -> None:
    secret = await token_for(await make_member())
    assert (await call(client, "GET", "/calendar/feed", secret)).json() == {"url": None}
    url = (await call(client, "POST", "/calendar/feed", secret)).json()["url"]
    assert url.startswith("http://testserver/calendar/") and url.endswith(".ics")
    assert (await call(client, "DELETE", "/calendar/feed", secret)).status_code == 204
    bad = await call(
        client, "POST", "/children", secret, json={"child_name": "", "birth_year": "x"}
    )
    assert bad.status_code == 400 and set(bad.json()["fields"]) == {"child_name", "birth_year"}
    made = await call(client, "POST", "/children", secret,
                      json={"child_name": "小明", "birth_year": "2018"})  # fmt: skip
    assert made.status_code == 201
    assert [c["name"] for c in (await call(client, "GET", "/children", secret)).json()] == ["小明"]
    gone = await call(client, "DELETE", f"/children/{made.json()['id']}", secret)
    assert gone.status_code == 204
    assert (await call(client, "GET", "/children", secret)).json() == []


async def test_a_place_in_a_class(client: httpx.AsyncClient) -> None:
    session = await plain_session()
    secret = await token_for(await make_member())
    week = (await call(client, "GET", f"/classes?week={slot_at().date()}", secret)).json()
    card = next(s for s in week["sessions"] if s["id"] == session.id)
    assert card["state"] == "open" and card["title"]["zh"]
    booked = await call(client, "POST", f"/classes/sessions/{session.id}/book", secret, json={})
    assert booked.status_code == 201 and booked.json()["title"] == card["title"]


async def test_the_desk_checks_in_by_code_and_card_and_books_a_walk_in(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    hall = await make_hall(courts=2)
    member, walker = await make_member(name="周立"), await make_member()
    booking = await bookings.book(member_id=member.id, resource_id=(await court(hall)).id,
                                  starts_at=slot_at())  # fmt: skip
    ticket = await call(client, "GET", f"/bookings/{booking.id}/ticket", await token_for(member))
    desk = await token_for(await make_member(role=Role.DESK), TokenScope.DESK)
    scanner = await token_for(await make_member(role=Role.STAFF), TokenScope.CHECKIN)
    start = slot_at()
    now = start - timedelta(minutes=10)  # check-in is open (slot_at reads the clock: first)
    monkeypatch.setattr(clock, "now", lambda: now)
    board = (await call(client, "GET", "/desk/board", scanner)).json()
    assert board["halls"][0]["name"]["en"] == "Badminton hall"
    by_card = await call(client, "POST", "/desk/checkin", scanner, json={"card": walker.card_no})
    assert by_card.json()["code"] == "nothing_due" and by_card.json()["ok"] is False
    code = {"code": ticket.json()["code"], "hall_id": hall.id}
    by_code = (await call(client, "POST", "/desk/checkin", scanner, json=code)).json()
    assert by_code["ok"] and by_code["code"] == "checked_in"
    assert by_code["detail"] == "签到成功：周立。"
    assert (await Booking.get(id=booking.id)).checked_in_at is not None
    place = {"resource_id": (await court(hall, 2)).id, "starts_at": start.isoformat(),
             "card": walker.card_no}  # fmt: skip
    refused = await call(client, "POST", "/desk/walk-ins", scanner, json=place)
    assert refused.status_code == 403  # a scanner checks in, nothing else
    walked = await call(client, "POST", "/desk/walk-ins", desk, json=place)
    assert walked.status_code == 201 and walked.json()["code"] == "walked_in", walked.text
    assert await Booking.filter(member_id=walker.id, status=BookingStatus.CONFIRMED).exists()
