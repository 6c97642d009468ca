"""Halls, a day's timetable, booking a court or gym hour, My bookings, one booking,
cancelling it, and the code it shows at the desk (as palace/web/bookings.py)."""

from datetime import date
from typing import Annotated, Any

import msgspec

from palace.api.errors import text
from palace.api.operations import MEMBER, Call, operation
from palace.api.shapes import Id, Instant, Name, name_of, reachable
from palace.services.booking import booking_views, bookings, releases, tickets, timetable
from palace.services.core import clock
from palace.services.core.errors import ServiceError

TAG = "bookings"
PAGE_MAX = 50
Page = Annotated[int, msgspec.Meta(ge=1, le=100_000)]
PerPage = Annotated[int, msgspec.Meta(ge=1, le=PAGE_MAX)]


class Hall(msgspec.Struct, frozen=True):
    code: str
    name: Name
    kind: str
    free_today: int
    closed_today: bool


class Cell(msgspec.Struct, frozen=True):
    resource_id: int
    starts_at: Instant
    ends_at: Instant
    state: str  # free, mine, taken, closed, not_yet_open, past, class
    places_left: int
    booking_id: int | None
    slot_id: int | None  # a full place's slot, where its waitlist is
    waiting: bool
    late: bool  # inside the free-cancellation cut-off: a cancel would be late


class Court(msgspec.Struct, frozen=True):
    id: int
    name: Name
    capacity: int


class Day(msgspec.Struct, frozen=True):
    code: str
    name: Name
    day: date
    first_day: date
    last_day: date
    opens_at: Instant
    is_open: bool
    resources: list[Court]
    cells: list[Cell]
    blocked: str | None  # why the member cannot book here now, before any tap


class DayQuery(msgspec.Struct, frozen=True):
    day: date | None = None


class BookIn(msgspec.Struct, frozen=True):
    resource_id: Id
    starts_at: Instant


class Booking(msgspec.Struct, frozen=True):
    id: int
    title: Name
    hall: Name
    place: Name
    starts_at: Instant
    ends_at: Instant
    state: str  # confirmed, checked_in, over, no_show, cancelled, late_cancelled, …
    mine: bool  # False: the member is named as a partner
    cancellable: bool
    late_from: Instant  # cancelling after this counts as a late cancel
    slot_id: int
    child_id: int | None


class BookingPage(msgspec.Struct, frozen=True):
    count: int
    next: str | None
    previous: str | None
    results: list[Booking]


class MineQuery(msgspec.Struct, frozen=True):
    page: Page = 1
    per_page: PerPage = 20
    upcoming: bool = False


class Ticket(msgspec.Struct, frozen=True):
    booking_id: int
    code: str  # what the QR code at the desk holds


def booking_of(view: booking_views.BookingView) -> Booking:
    b = view.booking
    return Booking(
        id=b.id,
        title=Name(zh=view.title("zh-CN"), en=view.title("en")),
        hall=name_of(view.facility),
        place=name_of(view.resource),
        starts_at=clock.utc(b.starts_at),
        ends_at=clock.utc(b.ends_at),
        state=view.state.value,
        mine=view.mine,
        cancellable=view.cancellable,
        late_from=clock.utc(view.late_from),
        slot_id=b.slot_id,
        child_id=b.child_id,
    )


@operation("GET", "/halls", scopes=MEMBER, tag=TAG, response=list[Hall])
async def halls(call: Call[None, None]) -> list[Hall]:
    """Every hall that can be booked, with the slots still free today."""
    found = await timetable.facilities(member_id=call.member_id)
    return [
        Hall(
            s.facility.code,
            name_of(s.facility),
            s.facility.kind.value,
            s.free_today,
            s.closed_today,
        )
        for s in found
    ]


@operation("GET", "/halls/{code:code}/timetable", scopes=MEMBER, tag=TAG, query=DayQuery,
           response=Day, conditional=True)  # fmt: skip
async def day(call: Call[None, DayQuery]) -> Day:
    """A hall's day as courts × slots (today unless ``day``); conditional on its ETag."""
    code = str(call.request.path_params["code"])
    if not reachable(call.query.day):
        raise ServiceError("day_invalid")
    shown = await timetable.day(member_id=call.member_id, code=code, day=call.query.day)
    return _day(shown, call.lang)


def _day(shown: timetable.Day, lang: str) -> Day:
    blocked = shown.blocked and text(lang, shown.blocked.code, shown.blocked.params)
    return Day(
        code=shown.facility.code,
        name=name_of(shown.facility),
        day=shown.day,
        first_day=shown.first_day,
        last_day=shown.last_day,
        opens_at=clock.utc(shown.opens_at),
        is_open=shown.is_open,
        resources=[Court(r.id, name_of(r), r.capacity) for r in shown.resources],
        cells=[_cell(cell) for row in shown.rows for cell in row.cells],
        blocked=blocked or None,
    )


def _cell(cell: timetable.Cell) -> Cell:
    return Cell(cell.resource.id, clock.utc(cell.starts_at), clock.utc(cell.ends_at),
                cell.state.value, cell.places_left, cell.booking_id, cell.slot_id,
                cell.waiting, cell.late)  # fmt: skip


@operation("POST", "/bookings", scopes=MEMBER, tag=TAG, body=BookIn, response=Booking,
           status=201)  # fmt: skip
async def book(call: Call[BookIn, None]) -> Booking:
    """Book a court or gym hour: the hall's court (``resource_id``) at a slot's start."""
    if not reachable(call.body.starts_at):
        raise ServiceError("unknown_slot")
    made = await bookings.book(member_id=call.member_id, resource_id=call.body.resource_id,
                               starts_at=call.body.starts_at)  # fmt: skip
    return await _booking(call.member_id, made.id)


async def _booking(member_id: int, booking_id: int) -> Booking:
    view = await booking_views.booking_view(member_id=member_id, booking_id=booking_id)
    return booking_of(view)


@operation("GET", "/bookings", scopes=MEMBER, tag=TAG, query=MineQuery, response=BookingPage)
async def mine(call: Call[None, MineQuery]) -> BookingPage:
    """My bookings, and those naming me as a partner: newest first, or ``upcoming``."""
    q = call.query
    count, views = await booking_views.listing(
        member_id=call.member_id, upcoming=q.upcoming, offset=(q.page - 1) * q.per_page,
        limit=q.per_page)  # fmt: skip
    return BookingPage(count, _link(call, q, q.page + 1, count), _link(call, q, q.page - 1, count),
                       [booking_of(v) for v in views])  # fmt: skip


def _link(call: Call[Any, MineQuery], q: MineQuery, page: int, count: int) -> str | None:
    if page < 1 or (page - 1) * q.per_page >= count:
        return None
    url = call.request.url.include_query_params(page=page, per_page=q.per_page)
    return str(url.include_query_params(upcoming="true") if q.upcoming else url)


@operation("GET", "/bookings/{booking_id}", scopes=MEMBER, tag=TAG, response=Booking)
async def detail(call: Call[None, None]) -> Booking:
    """One booking of mine (or naming me); anyone else's id is a 404."""
    return await _booking(call.member_id, call.path_id("booking_id"))


@operation("POST", "/bookings/{booking_id}/cancel", scopes=MEMBER, tag=TAG, response=Booking)
async def cancel(call: Call[None, None]) -> Booking:
    """Cancel my booking; after the cut-off it counts as a late cancel (its state says)."""
    done = await releases.cancel(member_id=call.member_id, booking_id=call.path_id("booking_id"))
    return await _booking(call.member_id, done.id)


@operation("GET", "/bookings/{booking_id}/ticket", scopes=MEMBER, tag=TAG, response=Ticket)
async def ticket(call: Call[None, None]) -> Ticket:
    """The code the app shows as a QR at the desk (signed; not a guessable id)."""
    view = await booking_views.booking_view(member_id=call.member_id,
                                            booking_id=call.path_id("booking_id"))  # fmt: skip
    return Ticket(view.booking.id, tickets.token_for(view.booking.id))


operations = [halls, day, book, mine, detail, cancel, ticket]
