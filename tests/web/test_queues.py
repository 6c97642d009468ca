"""Opening-queue pages: joining, changing and leaving on a phone, refusals in the member's
language that change nothing, the status that follows itself to the outcome, the
timetable that leads to the queue, My bookings, the inbox, and the public pages (the
fairness figures, a queue's draw and its file, which the verify page checks)."""

import json
from datetime import timedelta

import httpx
import pytest

from palace.models import (
    Booking,
    BookingSource,
    Facility,
    Member,
    OpeningQueue,
    QueueEntry,
    QueueOutcome,
)
from palace.services.core import clock
from palace.services.fairness import queue_serve
from tests.helpers import (
    court,
    csrf_from,
    log_in,
    make_hall,
    make_member,
    post_form,
    visible_text,
)
from tests.queue_helpers import Clock, join, key, queue_day, queue_times

HTMX = {"HX-Request": "true"}


def _page() -> str:
    return f"/halls/badminton/queue/{queue_day().isoformat()}"


async def _join(client: httpx.AsyncClient, *choices: str) -> httpx.Response:
    form = {f"choice{n}": "" for n in range(1, 4)}
    form |= {f"choice{n}": choice for n, choice in enumerate(choices, 1)}
    return await post_form(client, _page(), form, page=_page())


async def _shown(client: httpx.AsyncClient, path: str | None = None) -> str:
    return visible_text((await client.get(path or _page())).text)


async def test_a_member_joins_changes_and_leaves_on_the_page(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    hall = await make_hall()
    times = await queue_times(hall)
    Clock(monkeypatch, times.opens_at - timedelta(minutes=5))
    member = await make_member()
    await log_in(client, member)
    day = queue_day()
    # The hall's next day to open is the one whose queue takes joins now.
    page = await client.get("/halls/badminton/queue")
    assert page.status_code == 200 and 'id="queue-form"' in page.text
    shown = visible_text(page.text)
    assert "开放排队：羽毛球馆" in shown and "早加入、点得快都没有优势" in shown
    assert "最多填 3 个时段" in shown

    joined = await _join(client, key(day, 19), key(day, 20, "*"))
    assert (joined.status_code, joined.headers["location"]) == (303, _page())
    shown = await _shown(client)
    assert "您已加入排队" in shown
    assert "排队中 — 已有 1 人加入；08:00:35 抽出顺序。" in shown
    assert "19:00 · 1号场" in shown and "20:00 · 任意场地" in shown
    queue = await OpeningQueue.get(facility_id=hall.id)
    assert queue.commitment in (await client.get(_page())).text

    changed = await _join(client, key(day, 21, "c2"))
    assert changed.status_code == 303
    live = await QueueEntry.filter(live_member=member.id)
    assert [e.choices for e in live] == [[key(day, 21, "c2")]]
    assert "selected>21:00 · 2号场" in (await client.get(_page())).text

    left = await post_form(client, f"{_page()}/leave", {}, page=_page())
    assert left.status_code == 303
    assert not await QueueEntry.exists(live_member=member.id)
    shown = await _shown(client)
    assert "您已退出排队" in shown and "加入排队" in shown and "排队中 —" not in shown


async def test_before_joins_open_the_page_says_from_when_and_has_no_form(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    hall = await make_hall()
    times = await queue_times(hall)
    Clock(monkeypatch, times.joins_from - timedelta(minutes=1))
    await log_in(client, await make_member(language="en"))
    page = await client.get(_page())
    assert page.status_code == 200 and 'id="queue-form"' not in page.text
    shown = visible_text(page.text)
    assert "Not taking joins yet" in shown and "Joins open at" in shown and "07:50" in shown
    refused = await _join(client, key(queue_day(), 19))
    assert refused.headers["location"] == _page()
    assert "The opening queue for that day takes joins from" in await _shown(client)
    assert not await OpeningQueue.exists(facility_id=hall.id)


@pytest.mark.parametrize(
    ("choices", "after_close", "text"),
    [
        (["2020-01-01T19:00/c1"], False, "That time is not one of the places of that day."),
        (["{day}T19:00/c9", "{day}T20:00/c1"], False, "not one of the places of that day."),
        (["<b>%(x)s</b>"], False, "That time is not one of the places of that day."),
        ([""], False, "Choose at least one time."),
        (["{day}T20:00/c1"], True, "The opening queue for that day is closed."),
    ],
)
async def test_refusals_are_said_in_the_members_language_and_change_nothing(
    client: httpx.AsyncClient,
    monkeypatch: pytest.MonkeyPatch,
    choices: list[str],
    after_close: bool,
    text: str,
) -> None:
    hall = await make_hall()
    times = await queue_times(hall)
    now = Clock(monkeypatch, times.opens_at - timedelta(minutes=5))
    member = await make_member(language="en")
    await join(hall, member.id, key(queue_day(), 19))
    await log_in(client, member)
    if after_close:
        now.set(times.serves_at)
    forged = [c.format(day=queue_day().isoformat()) for c in choices]
    refused = await _join(client, *forged)
    assert (refused.status_code, refused.headers["location"]) == (303, _page())
    shown = await _shown(client)
    assert text in shown and "<b>" not in shown
    assert [e.choices for e in await QueueEntry.all()] == [[key(queue_day(), 19)]]


async def test_bad_addresses_get_a_clear_answer(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    hall = await make_hall()
    times = await queue_times(hall)
    Clock(monkeypatch, times.opens_at - timedelta(minutes=5))
    await make_hall(code="gym", queue_seconds=0)
    await log_in(client, await make_member(language="en"))
    assert (await client.get("/halls/nowhere/queue")).status_code == 404
    bad_day = await client.get("/halls/badminton/queue/2026-13-45")
    assert bad_day.status_code == 400 and "YYYY-MM-DD" in bad_day.text
    off = await client.get("/halls/gym/queue", follow_redirects=True)
    assert "This hall has no opening queue: its days open first-come." in visible_text(off.text)
    assert str(off.url).endswith("/book/gym")
    left = await post_form(client, f"{_page()}/leave", {}, page=_page())
    assert left.headers["location"] == _page()
    assert "You are not in that opening queue." in await _shown(client)
    # A day long gone that never had a queue: said plainly, nothing to join.
    past = await client.get("/halls/badminton/queue/2020-01-01")
    assert "Nobody joined this day's opening queue" in visible_text(past.text)
    assert 'id="queue-form"' not in past.text and not await OpeningQueue.exists()


async def test_a_hall_name_with_markup_shows_as_typed(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    hall = await make_hall()
    await Facility.filter(id=hall.id).update(name_zh="<b>%(x)s 50%</b>")
    times = await queue_times(hall)
    Clock(monkeypatch, times.opens_at - timedelta(minutes=5))
    await log_in(client, await make_member())
    page = await client.get(_page())
    assert page.status_code == 200
    assert "开放排队：&lt;b&gt;%(x)s 50%&lt;/b&gt;" in page.text and "<b>%(x)s" not in page.text


async def test_the_status_follows_itself_to_the_outcome(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    hall = await make_hall(courts=1)
    times = await queue_times(hall)
    now = Clock(monkeypatch, times.opens_at - timedelta(minutes=1))
    first, second = await make_member(), await make_member()
    day = queue_day()
    for member in (first, second):
        await join(hall, member.id, key(day, 19))
    await log_in(client, first)
    status = await client.get(f"{_page()}/status", headers=HTMX)
    assert status.status_code == 200 and "<html" not in status.text
    assert 'hx-trigger="every 2s"' in status.text and f'hx-get="{_page()}/status"' in status.text
    assert "排队中 — 已有 2 人加入" in visible_text(status.text)
    assert "queue-form-area" not in status.text  # the form on the page stays as it is

    now.set(times.serves_at)
    status = await client.get(f"{_page()}/status", headers=HTMX)
    assert "正在分配名额…" in visible_text(status.text) and "every 2s" in status.text

    queue = await OpeningQueue.get(facility_id=hall.id)
    await queue_serve.serve(queue_id=queue.id)
    won = await QueueEntry.get(outcome=QueueOutcome.WON)
    lost = await QueueEntry.get(outcome=QueueOutcome.LOST)
    for entry, expected in ((won, "您获得了名额：1号场"), (lost, "这次未获得名额")):
        client.cookies.clear()
        await log_in(client, first if entry.member_id == first.id else second)
        status = await client.get(f"{_page()}/status", headers=HTMX)
        # The answer that cannot change any more asks for nothing: the polling stops.
        assert status.status_code == 286 and "hx-trigger" not in status.text
        assert expected in visible_text(status.text)
        # Joins are closed: the answer also takes the form off the page.
        assert '<hx-partial hx-target="#queue-form-area"' in status.text
        link = f"/bookings/{won.booking_id}" if entry is won else f"/book/badminton?day={day}"
        assert f'href="{link}"' in status.text


async def test_the_timetable_leads_to_the_queue(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    hall = await make_hall()
    times = await queue_times(hall)
    now = Clock(monkeypatch, times.joins_from - timedelta(minutes=5))
    member = await make_member()
    await log_in(client, member)
    day = queue_day()
    timetable = f"/book/badminton?day={day.isoformat()}"
    ahead = await client.get(timetable)
    shown = visible_text(ahead.text)
    assert "这一天的预约将于" in shown and "开放时设开放排队：07:50 起加入，公平轮候。" in shown
    assert f'href="{_page()}"' in ahead.text and 'id="queue-banner"' not in ahead.text
    # Any other day of the window tells of it too.
    today = await client.get("/book/badminton")
    assert "08:00 开放预约，设开放排队（07:50 起可加入）。" in visible_text(today.text)
    assert f'href="{_page()}"' in today.text

    now.set(times.joins_from + timedelta(minutes=1))
    joining = await client.get(timetable)
    assert 'id="queue-banner"' in joining.text and f'href="{_page()}"' in joining.text
    assert "的开放排队：现在加入" in visible_text(joining.text)

    await join(hall, member.id, key(day, 19))
    now.set(times.gathers_until + timedelta(seconds=1))
    serving = await client.get(timetable)
    assert "名额正在分配给开放排队" in visible_text(serving.text)

    now.set(times.serves_at)
    await queue_serve.serve(queue_id=(await OpeningQueue.get(facility_id=hall.id)).id)
    served = await client.get(timetable)
    assert 'id="queue-banner"' not in served.text and f'href="{_page()}"' not in served.text


async def test_a_first_come_tap_while_the_queue_gathers_leads_to_it(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    hall = await make_hall()
    times = await queue_times(hall)
    Clock(monkeypatch, times.opens_at + timedelta(seconds=5))
    await log_in(client, await make_member())
    day = queue_day()
    starts_at = clock.at(day, 19 * 60)
    cell = {"resource": str((await court(hall)).id), "start": str(int(starts_at.timestamp()))}
    timetable = f"/book/badminton?day={day.isoformat()}"
    token_page = await client.get(timetable)
    assert token_page.status_code == 200
    tapped = await post_form(client, "/book/badminton", cell, page=timetable)
    assert tapped.status_code == 303  # without JavaScript: back to the day, with the banner
    back = await client.get(tapped.headers["location"])
    assert "请加入排队，公平轮候" in visible_text(back.text) and f'href="{_page()}"' in back.text
    response = await client.post(
        "/book/badminton",
        data={**cell, "csrf_token": csrf_from(token_page.text)},
        headers={**HTMX, "Origin": "http://testserver"},
    )
    assert response.status_code == 400
    assert "请加入排队，公平轮候" in visible_text(response.text)
    assert f'href="{_page()}"' in response.text and "加入开放排队" in visible_text(response.text)
    assert not await Booking.exists()


async def _served_queue(monkeypatch: pytest.MonkeyPatch) -> tuple[OpeningQueue, list[int]]:
    """A one-court hall's queue that two members joined for the same hour: one place."""
    hall = await make_hall(courts=1)
    times = await queue_times(hall)
    now = Clock(monkeypatch, times.opens_at - timedelta(minutes=1))
    members = [await make_member(), await make_member()]
    for member in members:
        await join(hall, member.id, key(queue_day(), 19))
    now.set(times.serves_at)
    queue = await OpeningQueue.get(facility_id=hall.id)
    await queue_serve.serve(queue_id=queue.id)
    return await OpeningQueue.get(id=queue.id), [m.id for m in members]


async def test_fairness_shows_the_queue_and_its_file_verifies(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    queue, _ = await _served_queue(monkeypatch)
    fairness = await client.get("/fairness")  # nobody logged in
    assert fairness.status_code == 200
    shown = visible_text(fairness.text)
    assert "开放排队" in shown and "加入：2 人。获得名额：1 人（50%）。" in shown
    assert f'href="/queues/{queue.id}/draw.json"' in fairness.text
    draw = await client.get(f"/queues/{queue.id}/draw")
    assert draw.status_code == 200 and queue.seed is not None and queue.seed in draw.text
    assert "按抽出顺序分配的名额" in visible_text(draw.text)
    published = await client.get(f"/queues/{queue.id}/draw.json")
    assert published.status_code == 200
    assert published.headers["content-type"].startswith("application/json")
    checked = await post_form(client, "/verify", {"file_text": published.text}, page="/verify")
    assert checked.status_code == 200 and "一致" in visible_text(checked.text)
    assert "不一致" not in visible_text(checked.text)
    doc = json.loads(published.text)
    doc["seed"] = "0" * 64
    forged = await post_form(client, "/verify", {"file_text": json.dumps(doc)}, page="/verify")
    assert forged.status_code == 422 and "不一致" in visible_text(forged.text)
    assert (await client.get("/queues/999999/draw")).status_code == 404
    assert (await client.get("/queues/999999/draw.json")).status_code == 404


async def test_my_bookings_and_the_inbox_tell_the_outcome(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    queue, member_ids = await _served_queue(monkeypatch)
    won = await QueueEntry.get(outcome=QueueOutcome.WON)
    lost = await QueueEntry.get(outcome=QueueOutcome.LOST)
    booking = await Booking.get(member_id=won.member_id)
    assert booking.source == BookingSource.QUEUE
    for entry in (won, lost):
        client.cookies.clear()
        await log_in(client, await Member.get(id=entry.member_id))
        mine = await client.get("/bookings")
        section = mine.text[mine.text.index('id="queue-entries"') :]
        shown = visible_text(section)
        assert ("已获得名额" if entry is won else "未获得名额") in shown
        assert f'href="{_page()}"' in section
        inbox = visible_text((await client.get("/inbox")).text)
        if entry is won:
            assert f'href="/bookings/{booking.id}"' in section
            assert "开放排队为您分配了名额：羽毛球馆 · 1号场" in inbox
        else:
            assert "00:00" not in inbox and "的开放排队已分配完毕" in inbox
            page = (await client.get("/inbox")).text
            assert f'href="/book/badminton?day={queue.day.isoformat()}"' in page
    assert sorted(member_ids) == sorted([won.member_id, lost.member_id])


async def test_entries_still_in_a_queue_show_in_my_bookings(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    hall = await make_hall()
    times = await queue_times(hall)
    Clock(monkeypatch, times.opens_at - timedelta(minutes=5))
    member = await make_member()
    await join(hall, member.id, key(queue_day(), 19))
    await log_in(client, member)
    mine = await client.get("/bookings")
    assert "排队中" in visible_text(mine.text[mine.text.index('id="queue-entries"') :])
