"""My bookings: one read path for the first page and "show more", its statements
counted, and who sees a booking (visibility) stated once and read alike in every form."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import asyncpg
from tortoise import connections

from palace import db
from palace.models import (
    Booking,
    BookingStatus,
    Facility,
    InvitationStatus,
    Member,
    PartnerInvitation,
    Role,
    Slot,
    SlotKind,
    WaitlistEntry,
    WaitMode,
    WaitStatus,
)
from palace.services.booking import booking_sql, booking_states, booking_views, bookings, partners
from palace.services.core import clock
from palace.services.facilities import closures, setup_cache
from palace.services.waitlist import waitlist_views
from tests.helpers import add_partners, court, make_hall, make_member, slot_at


@asynccontextmanager
async def _statements() -> AsyncIterator[list[str]]:
    """Every statement sent to the database inside the block, as one web request."""
    seen: list[str] = []
    with setup_cache.request_scope():
        if db.dialect() == "sqlite":
            client: Any = connections.get("default")
            await client.create_connection(with_db=True)
            await client._connection.set_trace_callback(seen.append)
            try:
                yield seen
            finally:
                await client._connection.set_trace_callback(None)
            return
        cls: Any = asyncpg.connection.Connection
        original = cls._execute

        async def counted(self: Any, query: str, *args: Any, **kwargs: Any) -> Any:
            seen.append(query)
            return await original(self, query, *args, **kwargs)

        cls._execute = counted
        try:
            yield seen
        finally:
            cls._execute = original


async def _past(member: Member, hall: Facility, days: int, status: BookingStatus) -> None:
    resource, start = await court(hall), slot_at(days=-days, hour=9)
    end = start + timedelta(hours=1)
    slot = await Slot.create(
        resource=resource, starts_at=start, ends_at=end, capacity=9, kind=SlotKind.GRID
    )
    await Booking.create(
        slot=slot, member=member, facility=hall, resource=resource, starts_at=start,
        ends_at=end, status=status,
    )  # fmt: skip


async def _my_week() -> tuple[Member, Member]:
    """A member with bookings of every kind My bookings shows, and their friend."""
    hall = await make_hall(partners_allowed=True, max_active=20, max_minutes_per_day=600)
    me, friend = await make_member(name="林小红"), await make_member(name="王大明")
    for days in range(1, 4):
        await bookings.book(member_id=me.id, resource_id=(await court(hall)).id,
                            starts_at=slot_at(days=days))  # fmt: skip
    theirs = await bookings.book(member_id=friend.id, resource_id=(await court(hall, 2)).id,
                                 starts_at=slot_at(days=1, hour=12))  # fmt: skip
    await add_partners(friend.id, theirs.id, [me])
    ours = await bookings.book(member_id=me.id, resource_id=(await court(hall, 2)).id,
                               starts_at=slot_at(days=2, hour=12))  # fmt: skip
    await add_partners(me.id, ours.id, [friend])
    closed = await bookings.book(member_id=me.id, resource_id=(await court(hall)).id,
                                 starts_at=slot_at(days=5, hour=9))  # fmt: skip
    staff = await make_member(role=Role.STAFF)
    await closures.close(actor_id=staff.id, facility_id=hall.id, resource_id=None,
                         starts_at=slot_at(days=5, hour=0), ends_at=slot_at(days=5, hour=23),
                         reason="地板维修")  # fmt: skip
    assert (await Booking.get(id=closed.id)).status == BookingStatus.CANCELLED_BY_PALACE
    for days in range(1, booking_views.HISTORY_PAGE + 5):
        status = BookingStatus.CANCELLED if days % 4 == 0 else BookingStatus.CONFIRMED
        await _past(me, hall, days, status)
    return me, friend


async def test_the_first_page_and_show_more_read_the_same_cards() -> None:
    me, _friend = await _my_week()
    first = await booking_views.member_bookings(member_id=me.id)
    assert len(first.upcoming) == 5 and len(first.history) == booking_views.HISTORY_PAGE
    assert first.more
    again = await booking_views.history_page(member_id=me.id, page=1)
    assert again.history == first.history and again.more
    second = await booking_views.history_page(member_id=me.id, page=2)
    assert len(second.history) == 5 and not second.more
    assert not {c.id for c in second.history} & {c.id for c in first.history}
    partnered = [c for c in first.upcoming if not c.mine]
    assert [(c.owner_name, c.partner_names) for c in partnered] == [("王大明", ("林小红",))]
    named = [c for c in first.upcoming if c.mine and c.partner_names]
    assert [c.partner_names for c in named] == [("王大明",)]
    closed = [c for c in first.history if c.palace_reason]
    assert [(c.palace_reason, c.state.value) for c in closed] == [
        ("地板维修", "cancelled_by_palace")
    ]
    assert first.upcoming[0].title("zh-CN") == "羽毛球馆 · 1号场"


async def test_my_bookings_first_page_costs_as_few_statements_as_before() -> None:
    me, _friend = await _my_week()
    await booking_views.member_bookings(member_id=me.id)  # the set-up cache warm
    async with _statements() as first:
        await booking_views.member_bookings(member_id=me.id)
    # The bookings with their classes and children; the set-up version; the partners
    # (some are named); the closure's reason; invitations, lines and the feed.
    assert len(first) <= 5, first
    async with _statements() as more:
        await booking_views.history_page(member_id=me.id, page=1)
    assert len(more) <= 3, more


def _partner_ids(booking: Booking) -> list[int]:
    return [p.member_id for p in booking.partners]


async def test_who_sees_a_booking_is_read_alike_by_the_orm_the_sql_and_python() -> None:
    me, friend = await _my_week()
    # A guest booked in the member's name (as a clerk would): theirs to hold, not to see.
    hall = await Facility.get(code="badminton")
    resource, start = await court(hall, 2), slot_at(days=3, hour=20)
    slot = await Slot.create(resource=resource, starts_at=start, ends_at=start + timedelta(hours=1),
                             capacity=9, kind=SlotKind.GRID)  # fmt: skip
    guest = await Booking.create(
        slot=slot, member=me, facility=hall, resource=resource, starts_at=start,
        ends_at=slot.ends_at, guest_name="王芳",
    )  # fmt: skip
    stranger = await make_member()
    everyone = await Booking.all().prefetch_related("partners")
    seen: dict[int, set[int]] = {}
    for member in (me, friend, stranger):
        orm = {b.id for b in await Booking.filter(booking_states.visible_to(member.id))}
        rows = await booking_sql.rows(booking_states.VISIBLE_IDS, member=member.id)
        sql = {int(r["id"]) for r in rows}
        python = {b.id for b in everyone if booking_states.sees(b, member.id, _partner_ids(b))}
        assert orm == sql == python, member.id
        seen[member.id] = orm
    assert guest.id not in seen[me.id] and seen[stranger.id] == set()
    # Their own (upcoming, closed, history) and the one naming them; the friend's own two.
    assert len(seen[me.id]) == 4 + 1 + booking_views.HISTORY_PAGE + 4 + 1
    assert len(seen[friend.id]) == 2


async def _invited(member: Member, booking: Booking, status: InvitationStatus) -> None:
    await PartnerInvitation.create(
        booking=booking, card_no=member.card_no, member=member, status=status
    )


async def _waiting(member: Member, slot: Slot, status: WaitStatus) -> None:
    await WaitlistEntry.create(slot=slot, member=member, mode=WaitMode.AUTO, status=status)


async def test_the_aside_asks_what_the_invitation_and_line_reads_answer() -> None:
    """My bookings first asks, in one statement, whether invitations wait for an answer
    and whether the member stands in a line; what it asks must be what those reads find."""
    me, _friend = await _my_week()
    upcoming = await Booking.filter(member_id=me.id, ends_at__gt=clock.now()).first()
    past = await Booking.filter(
        member_id=me.id, status=BookingStatus.CONFIRMED, ends_at__lte=clock.now()
    ).first()
    cancelled = await Booking.filter(status=BookingStatus.CANCELLED_BY_PALACE).first()
    assert upcoming is not None and past is not None and cancelled is not None
    cases = [
        (upcoming, InvitationStatus.PENDING, WaitStatus.WAITING, upcoming),
        (upcoming, InvitationStatus.DECLINED, WaitStatus.OFFERED, upcoming),
        (past, InvitationStatus.PENDING, WaitStatus.WAITING, past),
        (cancelled, InvitationStatus.PENDING, WaitStatus.CLOSED, upcoming),
    ]
    shown = []
    for booking, invitation, line, slot_of in cases:
        member = await make_member()
        await _invited(member, booking, invitation)
        await _waiting(member, await Slot.get(id=slot_of.slot_id), line)
        page = await booking_views.member_bookings(member_id=member.id)
        invitations = await partners.invitations_for(member_id=member.id)
        lines = await waitlist_views.my_lines(member_id=member.id)
        assert [i.booking.id for i in page.invitations] == [i.booking.id for i in invitations]
        assert [line.entry.id for line in page.lines] == [line.entry.id for line in lines]
        asked = await booking_views.asked_aside(member_id=member.id)
        assert (bool(asked["invited"]), bool(asked["waiting"])) == (bool(invitations), bool(lines))
        shown.append((bool(page.invitations), bool(page.lines)))
    # Only a pending invitation to a booking to come waits for an answer; a line for a
    # slot to come counts whether waiting or offered.
    assert shown == [(True, True), (False, True), (False, False), (False, False)]
