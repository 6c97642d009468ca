"""Booking through the API: halls, a day's timetable, book, My bookings, cancel."""

import httpx

from palace.models import Booking, BookingStatus
from tests.api.helpers import call, token_for
from tests.helpers import court, make_hall, make_member, slot_at


async def test_book_see_and_cancel_a_court(client: httpx.AsyncClient) -> None:
    member = await make_member()
    hall = await make_hall()
    secret = await token_for(member)
    halls = (await call(client, "GET", "/halls", secret)).json()
    assert [h["code"] for h in halls] == ["badminton"]
    assert halls[0]["name"] == {"zh": "羽毛球馆", "en": "Badminton hall"}
    starts = slot_at()
    body = {"resource_id": (await court(hall)).id, "starts_at": starts.isoformat()}
    booked = await call(client, "POST", "/bookings", secret, json=body)
    assert booked.status_code == 201, booked.text
    made = booked.json()
    assert made["state"] == "confirmed" and made["place"]["en"] == "Court 1"
    listed = (await call(client, "GET", "/bookings", secret)).json()
    assert listed["count"] == 1 and listed["results"][0]["id"] == made["id"]
    cancelled = await call(client, "POST", f"/bookings/{made['id']}/cancel", secret)
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    assert (await Booking.get(id=made["id"])).status == BookingStatus.CANCELLED
