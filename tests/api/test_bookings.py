"""Booking through the API: halls, a day's timetable, book, My bookings, cancel."""

import asyncio
from typing import Any

import httpx
import pytest

from palace.models import Booking, BookingStatus
from palace.services.booking import bookings
from tests.api.helpers import bearer, call, token_for
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


async def _booked(client: httpx.AsyncClient, secret: str, resource_id: int, days: int) -> int:
    body = {"resource_id": resource_id, "starts_at": slot_at(days=days).isoformat()}
    answer = await call(client, "POST", "/bookings", secret, json=body)
    assert answer.status_code == 201, answer.text
    return int(answer.json()["id"])


async def test_my_bookings_are_paged_at_most_fifty(client: httpx.AsyncClient) -> None:
    hall = await make_hall(max_active=10)
    secret = await token_for(await make_member())
    resource = (await court(hall)).id
    for days in (1, 2, 3):
        await _booked(client, secret, resource, days)
    first = (await call(client, "GET", "/bookings?per_page=2", secret)).json()
    assert first["count"] == 3 and len(first["results"]) == 2 and first["previous"] is None
    second = (await client.get(first["next"], headers=bearer(secret))).json()
    assert len(second["results"]) == 1 and second["next"] is None
    assert second["previous"].endswith("page=1&per_page=2")
    soonest = (await call(client, "GET", "/bookings?upcoming=true", secret)).json()["results"]
    assert [b["starts_at"] for b in soonest] == sorted(b["starts_at"] for b in soonest)
    too_many = await call(client, "GET", "/bookings?per_page=51", secret)
    assert too_many.status_code == 400 and too_many.json()["code"] == "request_invalid"
    assert set(too_many.json()["fields"]) == {"per_page"}


async def test_another_members_booking_is_404_everywhere(client: httpx.AsyncClient) -> None:
    hall = await make_hall(partners_allowed=True)
    owner, other = await make_member(), await make_member()
    booking_id = await _booked(client, await token_for(owner), (await court(hall)).id, 1)
    theirs = await token_for(other)
    for method, path in (
        ("GET", f"/bookings/{booking_id}"),
        ("POST", f"/bookings/{booking_id}/cancel"),
        ("GET", f"/bookings/{booking_id}/ticket"),
        ("PUT", f"/bookings/{booking_id}/partners"),
        ("GET", "/bookings/99999"),
        ("GET", "/bookings/not-a-number"),
    ):
        answer = await call(client, method, path, theirs, json={"cards": [other.card_no]})
        assert answer.status_code == 404, (method, path, answer.text)
        assert answer.headers["content-type"] == "application/json"
    assert (await call(client, "GET", "/bookings", theirs)).json()["count"] == 0
    assert (await Booking.get(id=booking_id)).status == BookingStatus.CONFIRMED


async def test_the_timetable_answers_304_while_nothing_changed(client: httpx.AsyncClient) -> None:
    hall = await make_hall()
    secret = await token_for(await make_member())
    day = slot_at().date().isoformat()
    path = f"/halls/badminton/timetable?day={day}"
    first = await call(client, "GET", path, secret)
    assert first.status_code == 200 and first.json()["name"]["en"] == "Badminton hall"
    etag = first.headers["etag"]
    again = await call(client, "GET", path, secret, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    await _booked(client, await token_for(await make_member()), (await court(hall)).id, 1)
    changed = await call(client, "GET", path, secret, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag


async def test_a_refusal_has_the_pages_code_and_text(client: httpx.AsyncClient) -> None:
    hall = await make_hall()
    resource = (await court(hall)).id
    await _booked(client, await token_for(await make_member()), resource, 1)
    body = {"resource_id": resource, "starts_at": slot_at().isoformat()}
    secret = await token_for(await make_member())
    en = await call(client, "POST", "/bookings", secret, json=body,
                    headers={"Accept-Language": "en-GB,zh;q=0.5"})  # fmt: skip
    assert en.status_code == 409
    taken = "Sorry, that place was just taken. Choose another one."
    assert en.json() == {"code": "slot_taken", "detail": taken}
    zh = await call(client, "POST", "/bookings", secret, json=body)
    assert zh.json()["detail"] == "抱歉，这个名额刚刚被约走了，请选择其他时段。"
    naive = {"resource_id": resource, "starts_at": slot_at().replace(tzinfo=None).isoformat()}
    field = await call(client, "POST", "/bookings", secret, json=naive)
    assert field.status_code == 400 and list(field.json()["fields"]) == ["starts_at"]


async def test_a_retried_write_with_the_same_key_books_once(client: httpx.AsyncClient) -> None:
    hall = await make_hall(courts=2)
    secret = await token_for(await make_member())
    body = {"resource_id": (await court(hall)).id, "starts_at": slot_at().isoformat()}
    key = {"X-Idempotency-Key": "tap-1"}
    first = await call(client, "POST", "/bookings", secret, json=body, headers=key)
    retried = await call(client, "POST", "/bookings", secret, json=body, headers=key)
    assert first.status_code == retried.status_code == 201
    assert retried.json() == first.json() and retried.headers["x-idempotent-replay"] == "true"
    assert await Booking.filter(status=BookingStatus.CONFIRMED).count() == 1
    other = {"resource_id": (await court(hall, 2)).id, "starts_at": slot_at().isoformat()}
    reused = await call(client, "POST", "/bookings", secret, json=other, headers=key)
    assert reused.status_code == 422 and reused.json()["code"] == "idempotency_key_reused"


async def test_a_retry_while_the_first_is_in_flight_is_409(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    hall = await make_hall()
    secret = await token_for(await make_member())
    body = {"resource_id": (await court(hall)).id, "starts_at": slot_at().isoformat()}
    key = {"X-Idempotency-Key": "tap-2"}
    started, finish = asyncio.Event(), asyncio.Event()
    real_book = bookings.book

    async def slow_book(**kwargs: Any) -> Any:
        started.set()
        await finish.wait()
        return await real_book(**kwargs)

    monkeypatch.setattr(bookings, "book", slow_book)
    first = asyncio.create_task(call(client, "POST", "/bookings", secret, json=body, headers=key))
    await started.wait()
    retried = await call(client, "POST", "/bookings", secret, json=body, headers=key)
    assert retried.status_code == 409 and retried.json()["code"] == "request_in_flight"
    finish.set()
    assert (await first).status_code == 201
    assert await Booking.filter(status=BookingStatus.CONFIRMED).count() == 1
