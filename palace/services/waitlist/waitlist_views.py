"""Waitlists as a member sees them: a slot's line, their place in it, their offers."""

from dataclasses import dataclass, field
from datetime import datetime

from palace.models import (
    Booking,
    BookingRules,
    Child,
    ClassSession,
    Facility,
    Resource,
    Slot,
    WaitlistEntry,
)
from palace.models import WaitStatus as S
from palace.services.booking import booking_names, slots
from palace.services.core import clock
from palace.services.core.errors import NotFound

LIVE = (S.WAITING, S.OFFERED)


@dataclass(frozen=True)
class Line:
    """One live entry of the member's (or of one of their children), with where it stands."""

    entry: WaitlistEntry
    slot: Slot
    facility: Facility
    resource: Resource
    ahead: int  # members in line before this one
    session: ClassSession | None = None  # with its class type, when the slot is a class
    child: Child | None = None  # the child this place in line is for

    def title(self, lang: str) -> str:
        """What the line is for, named as everywhere (booking_names)."""
        return booking_names.place_name(
            lang,
            class_type=self.session.class_type if self.session is not None else None,
            child=self.child,
            facility=self.facility,
            resource=self.resource,
        )

    @property
    def position(self) -> int:
        return self.ahead + 1

    @property
    def offered(self) -> bool:
        return self.entry.status == S.OFFERED and self.expires_at is not None

    @property
    def expires_at(self) -> datetime | None:
        expires = self.entry.offer_expires_at
        return clock.utc(expires) if expires is not None else None

    @property
    def offer_open(self) -> bool:
        return self.offered and self.expires_at is not None and self.expires_at > clock.now()


@dataclass(frozen=True)
class SlotLine:
    """What the join page shows about one slot."""

    slot: Slot
    facility: Facility
    resource: Resource
    starts_at: datetime
    ends_at: datetime
    waiting: int  # how many are in line
    mine: Line | None  # the member's own place in line
    booking_id: int | None  # the member already has a place here
    full: bool
    started: bool
    rules: BookingRules  # the hall's auto-book cut-off and offer time
    session: ClassSession | None = None  # with its class type, when the slot is a class
    # A children's class is booked and waited for per child: each child's place in line,
    # the children with a place here, and the children who could still join the line.
    child_lines: list[Line] = field(default_factory=list)
    booked_children: list[Child] = field(default_factory=list)
    free_children: list[Child] = field(default_factory=list)

    @property
    def for_children(self) -> bool:
        return self.session is not None and self.session.class_type.for_children

    def title(self, lang: str) -> str:
        return booking_names.place_name(
            lang,
            class_type=self.session.class_type if self.session is not None else None,
            facility=self.facility,
            resource=self.resource,
        )


async def _ahead(entry: WaitlistEntry) -> int:
    return await WaitlistEntry.filter(
        slot_id=entry.slot_id, status__in=LIVE, id__lt=entry.id
    ).count()


async def slot_line(*, member_id: int, slot_id: int) -> SlotLine:
    try:
        terms = await slots.terms(slot_id)
    except slots.SlotError:
        raise NotFound("unknown_slot") from None
    slot = await Slot.get(id=slot_id)
    session = await ClassSession.get_or_none(slot_id=slot_id).select_related("class_type")

    async def line_of(entry: WaitlistEntry, child: Child | None = None) -> Line:
        ahead = await _ahead(entry)
        return Line(entry, slot, terms.facility, terms.resource, ahead, session, child)

    entry = await WaitlistEntry.get_or_none(member_id=member_id, live_slot=slot_id)
    booking = await Booking.get_or_none(member_id=member_id, live_slot=slot_id)
    children = await Child.filter(parent_id=member_id, active=True)
    waiting = {
        e.child_id: e
        for e in await WaitlistEntry.filter(member_id=member_id, live_child_slot=slot_id)
    }
    booked = {
        b.child_id
        for b in await Booking.filter(member_id=member_id, live_child_slot=slot_id).only(
            "id", "child_id"
        )
    }
    return SlotLine(
        slot=slot,
        facility=terms.facility,
        resource=terms.resource,
        starts_at=terms.starts_at,
        ends_at=terms.ends_at,
        waiting=await WaitlistEntry.filter(slot_id=slot_id, status__in=LIVE).count(),
        mine=await line_of(entry) if entry is not None else None,
        booking_id=booking.id if booking else None,
        full=slots.places_left(slot) == 0,
        started=terms.starts_at <= clock.now(),
        rules=terms.rules,
        session=session,
        child_lines=[await line_of(waiting[c.id], c) for c in children if c.id in waiting],
        booked_children=[c for c in children if c.id in booked],
        free_children=[c for c in children if c.id not in booked and c.id not in waiting],
    )


async def my_lines(*, member_id: int) -> list[Line]:
    """The lines the member (or their child) stands in for slots still to come, soonest
    first.

    My bookings first asks whether there are any (booking_views.asked_aside);
    tests/services/booking/test_booking_views.py holds that question to this read."""
    entries = await WaitlistEntry.filter(
        member_id=member_id, status__in=LIVE, slot__starts_at__gt=clock.now()
    ).select_related("slot__resource__facility", "child")
    slot_ids = {e.slot_id for e in entries}
    sessions = await ClassSession.filter(slot_id__in=slot_ids).select_related("class_type")
    by_slot = {s.slot_id: s for s in sessions}
    lines = [
        Line(
            e,
            e.slot,
            e.slot.resource.facility,
            e.slot.resource,
            await _ahead(e),
            by_slot.get(e.slot_id),
            e.child,
        )
        for e in entries
    ]
    return sorted(lines, key=lambda line: (line.slot.starts_at, line.entry.id))
