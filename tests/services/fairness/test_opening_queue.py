"""The opening queue: joins in the window only, first-come held back until it is served,
one random order that arrival does not move, each member's best free choice booked
once, and a published file that verifies."""

import asyncio
from datetime import timedelta
from typing import Any

import httpx
import pytest

from palace import tracing
from palace.models import (
    Booking,
    BookingSource,
    Notification,
    OpeningQueue,
    QueueEntry,
    QueueOutcome,
    QueueState,
)
from palace.services.booking import bookings
from palace.services.booking.bookings import BookingError
from palace.services.core import clock
from palace.services.core.errors import ServiceError
from palace.services.fairness import ballot_verify, draw, opening_queue, queue_serve, queue_views
from tests.helpers import log_in, make_hall, make_member, make_members
from tests.queue_helpers import Clock, join, key, queue_day, queue_times


async def _served(queue_id: int) -> OpeningQueue:
    await queue_serve.serve(queue_id=queue_id)
    return await OpeningQueue.get(id=queue_id).select_related("facility")


async def test_joins_are_taken_from_ten_minutes_before_until_the_gathering_ends(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hall = await make_hall()
    times = await queue_times(hall)
    now = Clock(monkeypatch, times.joins_from - timedelta(seconds=1))
    member = await make_member()
    day = queue_day()
    with pytest.raises(ServiceError) as early:
        await join(hall, member.id, key(day, 19))
    assert early.value.code == "queue_not_yet"
    for instant in (times.joins_from, times.opens_at, times.gathers_until - timedelta(seconds=1)):
        now.set(instant)
        await join(hall, member.id, key(day, 19))
    now.set(times.gathers_until)
    with pytest.raises(ServiceError) as late:
        await join(hall, member.id, key(day, 20))
    assert late.value.code == "queue_closed"
    entry = await QueueEntry.get(member_id=member.id)
    assert entry.choices == [key(day, 19)]  # joined once, the late change refused
    assert times.gathers_until - times.opens_at == timedelta(seconds=30)
    assert times.opens_at - times.joins_from == timedelta(minutes=10)


async def test_a_join_that_arrived_in_time_counts_though_a_rush_delays_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The time that counts is when the request reached the palace (the web's first
    middleware notes it), until the queue is served; a late request is late however
    soon it is handled."""
    hall = await make_hall()
    times = await queue_times(hall)
    now = Clock(monkeypatch, times.gathers_until + timedelta(seconds=3))
    first, second, third = await make_members(3)
    day = queue_day()
    arrived = tracing.arrived.set(times.gathers_until - timedelta(milliseconds=1))
    try:
        await join(hall, first.id, key(day, 19))  # reached us in time, handled 3 s late
        now.set(times.serves_at)
        with pytest.raises(ServiceError) as too_late_to_write:
            await join(hall, second.id, key(day, 19))
        assert too_late_to_write.value.code == "queue_closed"
        now.set(times.gathers_until + timedelta(seconds=1))
        tracing.arrived.set(times.gathers_until)
        with pytest.raises(ServiceError) as arrived_late:
            await join(hall, third.id, key(day, 19))
        assert arrived_late.value.code == "queue_closed"
    finally:
        tracing.arrived.reset(arrived)
    assert await QueueEntry.filter(live_member__isnull=False).values_list(
        "member_id", flat=True
    ) == [first.id]
    # The queue is served once the grace for such requests is over, not before.
    queue = await OpeningQueue.get(facility_id=hall.id)
    assert await queue_serve.serve(queue_id=queue.id) == 0
    now.set(times.serves_at)
    assert await queue_serve.serve(queue_id=queue.id) == 1


async def test_the_request_log_notes_when_each_request_arrived(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[object] = []
    real = queue_views.hall_page

    async def noting(**kwargs: Any) -> Any:
        seen.append(tracing.arrived.get())
        return await real(**kwargs)

    monkeypatch.setattr(queue_views, "hall_page", noting)
    Clock(monkeypatch, clock.now())
    await make_hall()
    member = await make_member()
    await log_in(client, member)
    before = clock.now()
    await client.get("/halls/badminton/queue")
    assert seen == [before]
    assert tracing.arrived.get() is None


async def test_a_member_is_in_a_queue_once_and_may_change_or_leave(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hall = await make_hall()
    times = await queue_times(hall)
    Clock(monkeypatch, times.opens_at - timedelta(minutes=5))
    member = await make_member()
    day = queue_day()
    await join(hall, member.id, key(day, 19), key(day, 20))
    await join(hall, member.id, key(day, 21, "*"))
    live = await QueueEntry.filter(live_member=member.id)
    assert [e.choices for e in live] == [[key(day, 21, "*")]]
    await opening_queue.leave(facility_id=hall.id, day=day, member_id=member.id,
                              actor_id=member.id)  # fmt: skip
    assert not await QueueEntry.exists(live_member=member.id)
    with pytest.raises(ServiceError) as again:
        await opening_queue.leave(facility_id=hall.id, day=day, member_id=member.id,
                                  actor_id=member.id)  # fmt: skip
    assert again.value.code == "queue_not_in"
    await join(hall, member.id, key(day, 19))
    assert await QueueEntry.filter(live_member=member.id).count() == 1


async def test_a_members_taps_at_once_make_one_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    hall = await make_hall()
    times = await queue_times(hall)
    Clock(monkeypatch, times.opens_at - timedelta(minutes=5))
    member = await make_member()
    day = queue_day()
    taps = [key(day, hour) for hour in range(17, 23)]
    await asyncio.gather(*(join(hall, member.id, choice) for choice in taps))
    live = await QueueEntry.filter(live_member=member.id)
    assert len(live) == 1 and live[0].choices[0] in taps
    assert await QueueEntry.all().count() == 1


@pytest.mark.parametrize(
    ("choices", "code"),
    [
        ([], "queue_no_choice"),
        (["   "], "queue_no_choice"),
        (["a", "b", "c", "d"], "queue_too_many_choices"),
        (["2020-01-01T19:00/c1"], "queue_choice_invalid"),
        (["{day}T19:00/c9"], "queue_choice_invalid"),
        (["{day}T19:30/c1"], "queue_choice_invalid"),
        (["<b>%(x)s</b>"], "queue_choice_invalid"),
    ],
)
async def test_bad_choices_are_refused_and_change_nothing(
    monkeypatch: pytest.MonkeyPatch, choices: list[str], code: str
) -> None:
    hall = await make_hall()
    times = await queue_times(hall)
    Clock(monkeypatch, times.opens_at - timedelta(minutes=5))
    member = await make_member()
    day = queue_day()
    await join(hall, member.id, key(day, 19))
    wanted = [c.format(day=day.isoformat()) for c in choices]
    with pytest.raises(ServiceError) as refused:
        await join(hall, member.id, *wanted)
    assert refused.value.code == code
    assert [e.choices for e in await QueueEntry.all()] == [[key(day, 19)]]


async def test_first_come_waits_until_the_queue_is_served(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hall = await make_hall(courts=2)
    times = await queue_times(hall)
    now = Clock(monkeypatch, times.opens_at - timedelta(minutes=1))
    queued, fast = await make_members(2)
    day = queue_day()
    await join(hall, queued.id, key(day, 19))
    resource_id = (await hall.resources.all().order_by("sort_order"))[0].id
    starts_at = clock.at(day, 19 * 60)

    async def tap() -> None:
        await bookings.book_cell(member_id=fast.id, resource_id=resource_id, starts_at=starts_at)

    for instant, code in (
        (times.opens_at - timedelta(seconds=1), "not_yet_open"),
        (times.opens_at, "queue_gathering"),
        (times.gathers_until - timedelta(seconds=1), "queue_gathering"),
        (times.gathers_until, "queue_serving"),  # gathered, not served yet
    ):
        now.set(instant)
        with pytest.raises(BookingError) as refused:
            await tap()
        assert refused.value.code == code, instant
    queue = await OpeningQueue.get(facility_id=hall.id, day=day)
    now.set(times.serves_at)
    await _served(queue.id)
    with pytest.raises(BookingError) as gone:
        await tap()  # the queue's member had it
    assert gone.value.code == "slot_taken"
    await bookings.book_cell(member_id=fast.id, resource_id=resource_id + 1, starts_at=starts_at)
    sources = await Booking.all().order_by("id").values_list("member_id", "source")
    assert sources == [(queued.id, BookingSource.QUEUE), (fast.id, BookingSource.MEMBER)]


async def test_a_hall_without_a_queue_opens_first_come_at_the_opening(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hall = await make_hall(queue_seconds=0)
    member = await make_member()
    day = queue_day()
    opens_at = clock.at(day - timedelta(days=7), 8 * 60)
    Clock(monkeypatch, opens_at)
    resource_id = (await hall.resources.all())[0].id
    await bookings.book_cell(member_id=member.id, resource_id=resource_id,
                             starts_at=clock.at(day, 19 * 60))  # fmt: skip
    with pytest.raises(ServiceError) as refused:
        await join(hall, member.id, key(day, 20))
    assert refused.value.code == "queue_off"


async def test_each_member_gets_their_best_choice_still_free_in_drawn_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hall = await make_hall(courts=1)
    times = await queue_times(hall)
    now = Clock(monkeypatch, times.opens_at - timedelta(minutes=5))
    day = queue_day()
    members = await make_members(4)
    for member in members:  # everyone wants 19:00 first, then 20:00
        await join(hall, member.id, key(day, 19), key(day, 20))
    now.set(times.serves_at)
    queue = await _served((await OpeningQueue.get(facility_id=hall.id)).id)
    assert queue.state == QueueState.DONE and queue.results is not None
    order = queue.results["order"]
    won = queue.results["won"]
    # The first drawn gets 19:00, the second 20:00 (the 1st choice gone), the rest nothing.
    assert [won[name] for name in order] == [key(day, 19), key(day, 20), None, None]
    booked = await Booking.filter(source=BookingSource.QUEUE).count()
    assert booked == 2
    assert await Notification.filter(kind="queue_won").count() == 2
    assert await Notification.filter(kind="queue_lost").count() == 2
    outcomes = await QueueEntry.all().values_list("outcome", flat=True)
    assert sorted(outcomes) == [QueueOutcome.LOST] * 2 + [QueueOutcome.WON] * 2


async def test_quotas_and_suspensions_apply_when_served_and_are_published(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hall = await make_hall(courts=2)
    times = await queue_times(hall)
    now = Clock(monkeypatch, times.opens_at - timedelta(minutes=5))
    day = queue_day()
    member, other = await make_members(2)
    await join(hall, member.id, key(day, 19, "*"))
    await join(hall, other.id, key(day, 19, "*"))
    other.booking_suspended_until = times.opens_at + timedelta(days=30)
    await other.save()
    now.set(times.serves_at)
    queue = await _served((await OpeningQueue.get(facility_id=hall.id)).id)
    assert queue.results is not None
    refused = queue.results["refused"]
    assert len(refused) == 1
    assert next(iter(refused.values()))[0][1] == "booking_suspended"
    assert await Booking.filter(source=BookingSource.QUEUE).count() == 1
    assert ballot_verify.verify(queue_views.document(queue)).matches


async def test_serving_twice_books_once(monkeypatch: pytest.MonkeyPatch) -> None:
    hall = await make_hall(courts=2)
    times = await queue_times(hall)
    now = Clock(monkeypatch, times.opens_at - timedelta(minutes=5))
    day = queue_day()
    for member in await make_members(5):
        await join(hall, member.id, key(day, 19, "*"), key(day, 20, "*"))
    now.set(times.serves_at)
    queue = await OpeningQueue.get(facility_id=hall.id)
    assert await queue_serve.serve(queue_id=queue.id) == 4
    assert await queue_serve.serve(queue_id=queue.id) == 0
    assert await Booking.filter(source=BookingSource.QUEUE).count() == 4
    assert await Notification.filter(kind="queue_lost").count() == 1


async def test_serving_interrupted_mid_way_resumes_without_double_bookings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hall = await make_hall(courts=3)
    times = await queue_times(hall)
    now = Clock(monkeypatch, times.opens_at - timedelta(minutes=5))
    day = queue_day()
    for member in await make_members(8):
        await join(hall, member.id, key(day, 19, "*"), key(day, 20, "*"))
    now.set(times.serves_at)
    queue = await OpeningQueue.get(facility_id=hall.id)
    real_take, taken = bookings.take, []

    async def dies_after_two(**kwargs: object) -> Booking:
        if len(taken) == 2:
            raise RuntimeError("worker killed")
        taken.append(1)
        return await real_take(**kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(bookings, "take", dies_after_two)
    with pytest.raises(RuntimeError):
        await queue_serve.serve(queue_id=queue.id)
    assert (await OpeningQueue.get(id=queue.id)).state == QueueState.SERVING
    assert await Booking.filter(source=BookingSource.QUEUE).count() == 2
    monkeypatch.setattr(bookings, "take", real_take)
    assert await queue_serve.serve(queue_id=queue.id) == 4
    booked = await Booking.filter(source=BookingSource.QUEUE).values_list("member_id", flat=True)
    assert len(booked) == len(set(booked)) == 6
    served = await OpeningQueue.get(id=queue.id).select_related("facility")
    assert ballot_verify.verify(queue_views.document(served)).matches


async def test_the_published_file_verifies_and_fails_when_changed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hall = await make_hall(courts=1)
    times = await queue_times(hall)
    now = Clock(monkeypatch, times.opens_at - timedelta(minutes=5))
    day = queue_day()
    for member in await make_members(6):
        await join(hall, member.id, key(day, 19), key(day, 20, "*"))
    queue = await OpeningQueue.get(facility_id=hall.id).select_related("facility")
    before = queue_views.document(queue)
    assert "secret" not in before and "entries" not in before
    assert before["commitment"] == draw.commitment(queue.secret)
    now.set(times.serves_at)
    doc = queue_views.document(await _served(queue.id))
    assert ballot_verify.verify(doc).matches
    one_entry = {**doc, "entries": [{**doc["entries"][0], "choices": [key(day, 21)]},
                                    *doc["entries"][1:]]}  # fmt: skip
    weight = {**doc, "entries": [{**doc["entries"][0], "weight": 2}, *doc["entries"][1:]]}
    seed = {**doc, "seed": "0" * 64}
    for changed in (one_entry, weight, seed):
        assert not ballot_verify.verify(changed).matches
