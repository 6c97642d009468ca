"""The opening queue through the API: joining, changing and leaving as the queue page does,
the same refusals (rate limit included), nobody else's entry, the outcome once served, and
the public file that /verify-draw checks."""

import dataclasses
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from palace.models import Facility, OpeningQueue, QueueEntry
from palace.services.accounts import throttle
from palace.services.core import clock
from palace.services.fairness import ballot_verify, draw, queue_serve
from palace.settings import get_settings
from tests.api.helpers import API, call, token_for
from tests.helpers import make_hall, make_member, make_members
from tests.queue_helpers import Clock, key, queue_day, queue_times

EN = {"Accept-Language": "en"}


def _path(hall: Facility, suffix: str = "") -> str:
    return f"/halls/{hall.code}/queue/{queue_day().isoformat()}{suffix}"


async def _put(client: httpx.AsyncClient, hall: Facility, secret: str, *choices: str) -> Any:
    return await call(client, "PUT", _path(hall, "/entry"), secret,
                      json={"choices": list(choices)}, headers=EN)  # fmt: skip


async def _live(member_id: int) -> list[list[str]]:
    return [e.choices for e in await QueueEntry.filter(live_member=member_id)]


async def test_a_member_joins_changes_and_leaves(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    hall = await make_hall()
    times = await queue_times(hall)
    Clock(monkeypatch, times.opens_at - timedelta(minutes=5))
    member = await make_member()
    secret = await token_for(member)
    day = queue_day()
    shown = (await call(client, "GET", f"/halls/{hall.code}/queue", secret)).json()
    assert (shown["day"], shown["state"], shown["open"]) == (day.isoformat(), "gathering", True)
    assert (shown["joined"], shown["entry"], shown["queue_id"]) == (0, None, None)
    assert shown["times"]["gathers_until"].startswith(times.gathers_until.isoformat()[:19])
    keys = {o["key"]: o for o in shown["options"]}
    assert keys[key(day, 19)]["court"]["en"] == "Court 1"
    assert keys[key(day, 19, "*")]["court"] is None

    joined = await _put(client, hall, secret, key(day, 19), key(day, 20, "*"))
    assert joined.status_code == 200, joined.text
    mine = joined.json()
    assert mine["entry"]["choices"] == [key(day, 19), key(day, 20, "*")]
    assert (mine["entry"]["outcome"], mine["entry"]["pseudonym"]) == (None, None)
    queue = await OpeningQueue.get(facility_id=hall.id, day=day)
    assert (mine["queue_id"], mine["commitment"]) == (queue.id, draw.commitment(queue.secret))
    assert mine["gathers_until"] == shown["times"]["gathers_until"]
    assert await _live(member.id) == [[key(day, 19), key(day, 20, "*")]]
    shown = (await call(client, "GET", _path(hall), secret)).json()
    assert (shown["joined"], shown["queue_id"], shown["commitment"]) == (
        1, queue.id, queue.commitment)  # fmt: skip
    assert shown["entry"] == mine["entry"]

    changed = await _put(client, hall, secret, key(day, 21))
    assert changed.status_code == 200 and changed.json()["entry"]["choices"] == [key(day, 21)]
    assert await _live(member.id) == [[key(day, 21)]]

    left = await call(client, "DELETE", _path(hall, "/entry"), secret)
    assert left.status_code == 204
    assert await _live(member.id) == []
    shown = (await call(client, "GET", _path(hall), secret)).json()
    assert (shown["entry"], shown["joined"]) == (None, 0)
    again = await call(client, "DELETE", _path(hall, "/entry"), secret, headers=EN)
    assert again.status_code == 404
    assert again.json() == {"code": "queue_not_in", "detail": "You are not in that opening queue."}


async def test_refusals_have_the_services_codes_and_change_nothing(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    hall = await make_hall()
    times = await queue_times(hall)
    now = Clock(monkeypatch, times.opens_at - timedelta(minutes=5))
    member = await make_member()
    secret = await token_for(member)
    day = queue_day()
    assert (await _put(client, hall, secret, key(day, 19))).status_code == 200
    refusals = [
        ([key(day, h) for h in (17, 18, 19, 20)], "queue_too_many_choices",
         "Choose at most 3 times."),
        (["2020-01-01T19:00/c1"], "queue_choice_invalid",
         "That time is not one of the places of that day."),
        (["  "], "queue_no_choice", "Choose at least one time."),
    ]  # fmt: skip
    for choices, code, words in refusals:
        refused = await _put(client, hall, secret, *choices)
        assert refused.status_code == 400, refused.text
        assert refused.json() == {"code": code, "detail": words}
    zh = await call(client, "PUT", _path(hall, "/entry"), secret, json={"choices": ["x/c1"]})
    assert zh.json()["detail"] == "该时间不是当天可选的场次。"
    too_long = await _put(client, hall, secret, "x" * 61)
    assert too_long.status_code == 400 and list(too_long.json()["fields"]) == ["choices"]
    for path in (f"/halls/nowhere/queue/{day}/entry", f"/halls/{hall.code}/queue/someday/entry",
                 f"/halls/{hall.code}/queue/1850-01-01/entry"):  # fmt: skip
        missing = await call(client, "PUT", path, secret, json={"choices": [key(day, 19)]})
        assert missing.status_code == 404, path

    now.set(times.serves_at)
    closed = await _put(client, hall, secret, key(day, 20))
    assert closed.status_code == 400
    assert closed.json()["code"] == "queue_closed"
    gone = await call(client, "DELETE", _path(hall, "/entry"), secret)
    assert gone.status_code == 400 and gone.json()["code"] == "queue_closed"
    now.set(times.joins_from - timedelta(seconds=1))
    early = await call(client, "PUT", f"/halls/{hall.code}/queue/{day + timedelta(days=1)}/entry",
                       secret, json={"choices": [key(day, 19)]}, headers=EN)  # fmt: skip
    assert early.status_code == 400 and early.json()["code"] == "queue_not_yet"
    assert early.json()["detail"].startswith("The opening queue for that day takes joins from")
    assert await _live(member.id) == [[key(day, 19)]]


async def test_a_hall_without_a_queue_says_so(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    hall = await make_hall(queue_seconds=0)
    member = await make_member()
    secret = await token_for(member)
    shown = await call(client, "GET", f"/halls/{hall.code}/queue", secret, headers=EN)
    assert shown.status_code == 404 and shown.json()["code"] == "queue_off"
    joined = await _put(client, hall, secret, key(queue_day(), 19))
    assert joined.status_code == 400 and joined.json()["code"] == "queue_off"
    assert await QueueEntry.all().count() == 0


async def test_joins_beyond_the_members_rate_are_429_with_retry_after(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    small = dataclasses.replace(get_settings(), queue_requests_per_minute=3)
    monkeypatch.setattr(throttle, "get_settings", lambda: small)
    hall = await make_hall()
    times = await queue_times(hall)
    Clock(monkeypatch, times.opens_at - timedelta(minutes=5))
    member, other = await make_members(2)
    secret = await token_for(member)
    day = queue_day()
    for hour in (19, 20, 21):
        assert (await _put(client, hall, secret, key(day, hour))).status_code == 200
    refused = await _put(client, hall, secret, key(day, 22))
    assert refused.status_code == 429
    assert refused.json()["code"] == "too_many_requests"
    assert int(refused.headers["retry-after"]) >= 1
    left = await call(client, "DELETE", _path(hall, "/entry"), secret)
    assert left.status_code == 429
    assert await _live(member.id) == [[key(day, 21)]]
    # Counted per member: someone else joins as usual.
    assert (await _put(client, hall, await token_for(other), key(day, 19))).status_code == 200


async def test_another_members_entry_is_not_visible(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    hall = await make_hall()
    times = await queue_times(hall)
    Clock(monkeypatch, times.opens_at - timedelta(minutes=5))
    owner, other = await make_members(2)
    day = queue_day()
    assert (await _put(client, hall, await token_for(owner), key(day, 19))).status_code == 200
    theirs = await token_for(other)
    shown = (await call(client, "GET", _path(hall), theirs)).json()
    assert (shown["entry"], shown["joined"]) == (None, 1)
    refused = await call(client, "DELETE", _path(hall, "/entry"), theirs)
    assert refused.status_code == 404 and refused.json()["code"] == "queue_not_in"
    assert await _live(owner.id) == [[key(day, 19)]]


async def test_once_served_members_see_their_outcome_and_anyone_checks_the_file(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    hall = await make_hall(courts=1)
    times = await queue_times(hall)
    now = Clock(monkeypatch, times.opens_at - timedelta(minutes=5))
    day = queue_day()
    secrets = [await token_for(m) for m in await make_members(3)]
    for secret in secrets:  # one court at 19:00 and at 20:00 for three members
        assert (await _put(client, hall, secret, key(day, 19), key(day, 20))).status_code == 200
    queue = await OpeningQueue.get(facility_id=hall.id)
    before = await client.get(f"{API}/queues/{queue.id}/draw")
    assert before.status_code == 200
    assert before.json()["commitment"] == queue.commitment and "secret" not in before.json()

    now.set(times.serves_at)
    waiting = (await call(client, "GET", _path(hall), secrets[0])).json()
    assert (waiting["state"], waiting["open"]) == ("serving", False)
    assert waiting["entry"]["outcome"] is None
    await queue_serve.serve(queue_id=queue.id)
    pages = [(await call(client, "GET", _path(hall), s)).json() for s in secrets]
    assert {p["state"] for p in pages} == {"done"}
    entries = [p["entry"] for p in pages]
    assert sorted(e["outcome"] for e in entries) == ["lost", "won", "won"]
    won = {e["won_key"] for e in entries if e["outcome"] == "won"}
    assert won == {key(day, 19), key(day, 20)}
    for page, secret in zip(pages, secrets, strict=True):
        booking_id = page["entry"]["booking_id"]
        if page["entry"]["outcome"] == "won":
            booking = (await call(client, "GET", f"/bookings/{booking_id}", secret)).json()
            hour = int(page["entry"]["won_key"].split("T")[1][:2])
            assert datetime.fromisoformat(booking["starts_at"]) == clock.at(day, hour * 60)
            assert booking["state"] == "confirmed"
        else:
            assert booking_id is None and page["entry"]["won_key"] is None

    published = await client.get(f"{API}/queues/{queue.id}/draw")
    assert published.status_code == 200
    doc = published.json()
    names = {e["pseudonym"] for e in entries}
    assert {e["pseudonym"] for e in doc["entries"]} == names and None not in names
    assert ballot_verify.verify(doc).matches
    checked = await client.post(f"{API}/verify-draw", content=published.content)
    assert checked.json()["matches"] and checked.json()["drawn"]
    doc["seed"] = "0" * 64
    tampered = await client.post(f"{API}/verify-draw", json=doc)
    assert not tampered.json()["matches"]
    missing = await client.get(f"{API}/queues/999/draw", headers=EN)
    assert missing.status_code == 404 and missing.json()["code"] == "queue_not_found"
