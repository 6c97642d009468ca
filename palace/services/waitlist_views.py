"""Waitlists as a member sees them: a slot's line, their place in it, their offers."""

from dataclasses import dataclass
from datetime import datetime

from palace.models import (
    Booking,
    BookingRules,
    ClassSession,
    Facility,
    Resource,
    Slot,
    WaitlistEntry,
)
from palace.models import WaitStatus as S
from palace.services import clock, slots
from palace.services.waitlists import WaitlistError

LIVE = (S.WAITING, S.OFFERED)


@dataclass(frozen=True)
class Line:
    """One live entry of the member's, with where it stands."""

    entry: WaitlistEntry
    slot: Slot
    facility: Facility
    resource: Resource
    ahead: int  # members in line before this one

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
    mine: Line | None
    booking_id: int | None  # the member already has a place here
    full: bool
    started: bool
    rules: BookingRules  # the hall's auto-book cut-off and offer time
    session: ClassSession | None = None  # with its class type, when the slot is a class


async def _ahead(entry: WaitlistEntry) -> int:
    return await WaitlistEntry.filter(
        slot_id=entry.slot_id, status__in=LIVE, id__lt=entry.id
    ).count()


async def slot_line(*, member_id: int, slot_id: int) -> SlotLine:
    try:
        terms = await slots.terms(slot_id)
    except slots.SlotError:
        raise WaitlistError("unknown_slot") from None
    slot = await Slot.get(id=slot_id)
    entry = await WaitlistEntry.get_or_none(member_id=member_id, live_slot=slot_id)
    mine = None
    if entry is not None:
        mine = Line(entry, slot, terms.facility, terms.resource, await _ahead(entry))
    booking = await Booking.get_or_none(member_id=member_id, live_slot=slot_id)
    return SlotLine(
        slot=slot,
        facility=terms.facility,
        resource=terms.resource,
        starts_at=terms.starts_at,
        ends_at=terms.ends_at,
        waiting=await WaitlistEntry.filter(slot_id=slot_id, status__in=LIVE).count(),
        mine=mine,
        booking_id=booking.id if booking else None,
        full=slots.places_left(slot) == 0,
        started=terms.starts_at <= clock.now(),
        rules=terms.rules,
        session=await ClassSession.get_or_none(slot_id=slot_id).select_related("class_type"),
    )


async def my_lines(*, member_id: int) -> list[Line]:
    """The lines the member stands in for slots still to come, soonest first.

    My bookings first asks whether there are any with the same conditions, written by
    hand (booking_views._ASIDE): change both together."""
    entries = await WaitlistEntry.filter(
        member_id=member_id, status__in=LIVE, slot__starts_at__gt=clock.now()
    ).select_related("slot__resource__facility")
    lines = [
        Line(e, e.slot, e.slot.resource.facility, e.slot.resource, await _ahead(e)) for e in entries
    ]
    return sorted(lines, key=lambda line: (line.slot.starts_at, line.entry.id))
