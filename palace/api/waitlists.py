"""Waitlists (join, leave, my place in line) and offers (accept, decline), as
palace/web/waitlists.py."""

from typing import Literal

import msgspec

from palace.api.bookings import Booking, booking_of
from palace.api.operations import MEMBER, Call, operation
from palace.api.shapes import Id, Instant, Name
from palace.services.booking import booking_views
from palace.services.core import clock
from palace.services.waitlist import waitlist_views, waitlists

TAG = "waitlists"


class Line(msgspec.Struct, frozen=True):
    """My place (or a child's) in one slot's line."""

    entry_id: int
    slot_id: int
    title: Name
    starts_at: Instant
    position: int  # 1: next in line
    status: str  # waiting, offered
    mode: str  # auto (book me), ask (ask me first)
    offer_expires_at: Instant | None  # an open offer: accept before this
    child_id: int | None


class SlotLine(msgspec.Struct, frozen=True):
    slot_id: int
    title: Name
    starts_at: Instant
    ends_at: Instant
    waiting: int  # how many are in line
    full: bool
    started: bool
    booking_id: int | None  # I already have a place here
    mine: list[Line]  # my place in line, and each child's


class Join(msgspec.Struct, frozen=True):
    mode: Literal["auto", "ask"]
    child_id: Id | None = None


def line_of(line: waitlist_views.Line) -> Line:
    return Line(
        entry_id=line.entry.id,
        slot_id=line.slot.id,
        title=Name(zh=line.title("zh-CN"), en=line.title("en")),
        starts_at=clock.utc(line.slot.starts_at),
        position=line.position,
        status=line.entry.status.value,
        mode=line.entry.mode.value,
        offer_expires_at=line.expires_at if line.offer_open else None,
        child_id=line.entry.child_id,
    )


def slot_line_of(shown: waitlist_views.SlotLine) -> SlotLine:
    lines = ([shown.mine] if shown.mine else []) + shown.child_lines
    return SlotLine(
        slot_id=shown.slot.id,
        title=Name(zh=shown.title("zh-CN"), en=shown.title("en")),
        starts_at=clock.utc(shown.starts_at),
        ends_at=clock.utc(shown.ends_at),
        waiting=shown.waiting,
        full=shown.full,
        started=shown.started,
        booking_id=shown.booking_id,
        mine=[line_of(line) for line in lines],
    )


@operation("GET", "/waitlists", scopes=MEMBER, tag=TAG, response=list[Line])
async def my_lines(call: Call[None, None]) -> list[Line]:
    """The lines I (or my children) stand in, soonest first, with our positions."""
    return [line_of(line) for line in await waitlist_views.my_lines(member_id=call.member_id)]


@operation("GET", "/slots/{slot_id}/waitlist", scopes=MEMBER, tag=TAG, response=SlotLine)
async def line(call: Call[None, None]) -> SlotLine:
    """A slot's line: how many wait, and where I stand."""
    shown = await waitlist_views.slot_line(member_id=call.member_id,
                                           slot_id=call.path_id("slot_id"))  # fmt: skip
    return slot_line_of(shown)


@operation("POST", "/slots/{slot_id}/waitlist", scopes=MEMBER, tag=TAG, body=Join,
           response=SlotLine, status=201)  # fmt: skip
async def join(call: Call[Join, None]) -> SlotLine:
    """Join a full slot's line: ``auto`` books me when a place frees, ``ask`` offers it."""
    slot_id = call.path_id("slot_id")
    await waitlists.join(member_id=call.member_id, slot_id=slot_id, mode=call.body.mode,
                         child_id=call.body.child_id)  # fmt: skip
    return slot_line_of(await waitlist_views.slot_line(member_id=call.member_id, slot_id=slot_id))


@operation("POST", "/waitlist/entries/{entry_id}/leave", scopes=MEMBER, tag=TAG)
async def leave_line(call: Call[None, None]) -> None:
    """Leave a line."""
    await waitlists.leave(member_id=call.member_id, entry_id=call.path_id("entry_id"))


@operation("POST", "/offers/{entry_id}/accept", scopes=MEMBER, tag=TAG, response=Booking)
async def accept(call: Call[None, None]) -> Booking:
    """Accept an offered place before it runs out: it is booked."""
    made = await waitlists.accept(member_id=call.member_id, entry_id=call.path_id("entry_id"))
    view = await booking_views.booking_view(member_id=call.member_id, booking_id=made.id)
    return booking_of(view)


@operation("POST", "/offers/{entry_id}/decline", scopes=MEMBER, tag=TAG)
async def decline(call: Call[None, None]) -> None:
    """Decline an offer: the place goes to the next in line."""
    await waitlists.decline(member_id=call.member_id, entry_id=call.path_id("entry_id"))


operations = [my_lines, line, join, leave_line, accept, decline]
