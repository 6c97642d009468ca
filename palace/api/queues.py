"""The opening queue of a hall's day: its times, state and choices with my entry;
joining (or changing my choices) and leaving while it gathers; and, for anyone without a
token, a queue's published file (checked by /verify-draw like a ballot's)."""

from datetime import date
from typing import Annotated, Any

import msgspec

from palace.api.ballots import DrawPlace, Entrant, Round
from palace.api.operations import MEMBER, Call, operation
from palace.api.shapes import Instant, Name, Option, name_of, option_of
from palace.models import QueueEntry as QueueEntryRow
from palace.services.booking import timetable
from palace.services.core import clock
from palace.services.fairness import ballot_publish, opening_queue, queue_views
from palace.services.fairness.queue_gate import Times

TAG = "opening queue"
Key = Annotated[str, msgspec.Meta(max_length=60)]


class QueueTimes(msgspec.Struct, frozen=True):
    joins_from: Instant  # joins (and changes, and leaving) from
    opens_at: Instant  # the day opens for booking
    gathers_until: Instant  # joins until; then everyone in it is served in a drawn order


class QueueEntry(msgspec.Struct, frozen=True):
    choices: list[str]  # option keys, first choice first
    joined_at: Instant  # kept to show it gives no edge: the order is drawn
    pseudonym: str | None  # my name in the published entry list, once the gathering ends
    outcome: str | None  # won, lost: once served
    won_key: str | None  # the option won
    booking_id: int | None  # the booking it made


class Queue(msgspec.Struct, frozen=True):
    """One hall's day in its opening queue, and my entry in it."""

    hall: Name
    hall_code: str
    day: date  # the day whose places open
    state: str  # not_yet, gathering, serving, done
    open: bool  # taking joins now: join, change or leave
    times: QueueTimes
    queue_id: int | None  # its published file: GET /queues/{queue_id}/draw
    commitment: str | None  # sha256 of the secret seed, from the queue's first moment
    joined: int  # members in the queue so far
    options: list[Option]
    entry: QueueEntry | None


class Joined(msgspec.Struct, frozen=True):
    """My entry as the queue took it: the page (GET) shows the rest, and the outcome."""

    queue_id: int  # its published file: GET /queues/{queue_id}/draw
    commitment: str  # sha256 of the secret seed, published before any join
    gathers_until: Instant  # joins until; then everyone in it is served in a drawn order
    entry: QueueEntry


class QueueIn(msgspec.Struct, frozen=True):
    """My choices, replacing any I have: at most three, first choice first."""

    choices: Annotated[list[Key], msgspec.Meta(max_length=10)]


class DrawQueue(msgspec.Struct, frozen=True):
    id: int
    hall: str  # the hall's code
    day: date
    state: str


class QueueDrawFile(msgspec.Struct, frozen=True):
    """A queue as published so far: commitment and algorithm from its first moment; the
    entry list, its hash and the places free from the end of the gathering; the secret,
    seed and results once served. The ballot file's format: /verify-draw checks it."""

    format: str
    queue: DrawQueue
    algorithm: str
    commitment: str
    timeline: QueueTimes
    places: list[DrawPlace] | None = None
    entries: list[Entrant] | None = None
    entry_hash: str | None = None
    beacon: str | None = None
    secret: str | None = None
    seed: str | None = None
    results: Round | None = None


def _times(found: Times) -> QueueTimes:
    return QueueTimes(clock.utc(found.joins_from), clock.utc(found.opens_at),
                      clock.utc(found.gathers_until))  # fmt: skip


def _entry(e: QueueEntryRow, state: str) -> QueueEntry:
    published = state not in ("not_yet", "gathering")
    return QueueEntry(list(e.choices), clock.utc(e.joined_at), e.pseudonym if published else None,
                      e.outcome.value if e.outcome else None, e.won_key,
                      e.booking_id)  # fmt: skip


def queue_of(shown: queue_views.QueuePage) -> Queue:
    queue = shown.queue
    return Queue(
        hall=name_of(shown.facility),
        hall_code=shown.facility.code,
        day=shown.times.day,
        state=shown.state,
        open=shown.can_join,
        times=_times(shown.times),
        queue_id=queue.id if queue else None,
        commitment=queue.commitment if queue else None,
        joined=shown.joined,
        options=[option_of(o) for o in shown.options],
        entry=_entry(shown.entry, shown.state) if shown.entry else None,
    )


async def _hall_id(call: Call[Any, None]) -> int:
    return (await timetable.bookable_facility(str(call.request.path_params["code"]))).id


async def _page(call: Call[Any, None], day: date | None) -> Queue:
    shown = await queue_views.hall_page(code=str(call.request.path_params["code"]), day=day,
                                        member_id=call.member_id)  # fmt: skip
    return queue_of(shown)


@operation("GET", "/halls/{code:code}/queue", scopes=MEMBER, tag=TAG, response=Queue)
async def next_queue(call: Call[None, None]) -> Queue:
    """The hall's next day to open, in its opening queue: times, state, choices, my entry."""
    return await _page(call, None)


@operation("GET", "/halls/{code:code}/queue/{day}", scopes=MEMBER, tag=TAG, response=Queue)
async def day_queue(call: Call[None, None]) -> Queue:
    """The opening queue of the hall's ``day``: times, state, choices, my entry."""
    return await _page(call, call.path_day("day"))


@operation("PUT", "/halls/{code:code}/queue/{day}/entry", scopes=MEMBER, tag=TAG,
           body=QueueIn, response=Joined)  # fmt: skip
async def join_queue(call: Call[QueueIn, None]) -> Joined:
    """Join the day's opening queue, or change my choices, while it gathers."""
    # Answers the entry alone: at the last seconds of a gathering everyone joins at once,
    # and the page (its options, the count) is what the app has already.
    done = await opening_queue.join(facility_id=await _hall_id(call), day=call.path_day("day"),
                                    member_id=call.member_id, choices=list(call.body.choices),
                                    actor_id=call.member_id)  # fmt: skip
    queue = done.queue
    return Joined(queue.id, queue.commitment, clock.utc(queue.gathers_until),
                  _entry(done.entry, queue.state.value))  # fmt: skip


@operation("DELETE", "/halls/{code:code}/queue/{day}/entry", scopes=MEMBER, tag=TAG)
async def leave_queue(call: Call[None, None]) -> None:
    """Leave the day's opening queue while it gathers."""
    await opening_queue.leave(facility_id=await _hall_id(call), day=call.path_day("day"),
                              member_id=call.member_id, actor_id=call.member_id)  # fmt: skip


@operation("GET", "/queues/{queue_id}/draw", scopes=None, tag=TAG, response=QueueDrawFile)
async def queue_draw_file(call: Call[None, None]) -> msgspec.Raw:
    """The queue's file as published so far, for anyone (no token)."""
    found = await queue_views.published(queue_id=call.path_id("queue_id"))
    return msgspec.Raw(ballot_publish.as_file(found))


operations = [next_queue, day_queue, join_queue, leave_queue, queue_draw_file]
