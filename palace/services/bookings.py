"""The one booking service: courts and capacity slots (and, later, class sessions).

Capacity is enforced by the database: a conditional UPDATE on the slot row,
``taken = taken + 1 WHERE taken < capacity``, in the transaction that writes the
booking. Quotas are checked under a lock on the member's row, so one member's
parallel clicks are serialised; different members never wait for each other.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from palace.models import (
    Booking,
    BookingPartner,
    BookingRules,
    BookingStatus,
    Closure,
    Facility,
    Member,
    MemberStatus,
    OpeningHours,
    Resource,
    Slot,
)
from palace.services import accounts, audit, clock, rules
from palace.services.errors import ServiceError


class BookingError(ServiceError):
    pass


@dataclass(frozen=True)
class Quota:
    active: int
    max_active: int
    minutes_today: int
    max_minutes: int


async def book(*, member_id: int, resource_id: int, starts_at: datetime) -> Booking:
    resource = await Resource.get_or_none(id=resource_id, active=True).select_related("facility")
    if resource is None or not rules.is_bookable(resource.facility):
        raise BookingError("unknown_slot")
    facility = resource.facility
    facility_rules = await rules.rules_for(facility)
    ends_at = await _slot_end(facility_rules, facility, starts_at)
    now = clock.now()
    if starts_at <= now:
        raise BookingError("slot_past")
    opens_at = rules.booking_opens_at(facility_rules, clock.local_day(starts_at))
    if now < opens_at:
        raise BookingError("not_yet_open", opens_at=opens_at)
    await _refuse_if_full(member_id, resource, starts_at)
    async with in_transaction():
        member = await Member.filter(id=member_id).select_for_update().get()
        if member.status != MemberStatus.ACTIVE:
            raise BookingError("member_suspended")
        if await closure_over(resource, starts_at, ends_at):
            raise BookingError("slot_closed")
        await _check_quota(member_id, facility_rules, starts_at, ends_at)
        slot = await _slot_row(resource, starts_at, ends_at)
        if await Booking.filter(member_id=member_id, live_slot=slot.id).exists():
            raise BookingError("already_booked")
        took = await Slot.filter(id=slot.id, taken__lt=F("capacity")).update(taken=F("taken") + 1)
        if not took:
            raise BookingError("slot_taken")
        booking = await _insert(member_id, resource, slot)
        await audit.record(
            actor_id=member_id,
            entity="booking",
            entity_id=booking.id,
            action="book",
            to_state=BookingStatus.CONFIRMED,
            detail={"resource_id": resource.id, "starts_at": starts_at.isoformat()},
        )
    return booking


async def _refuse_if_full(member_id: int, resource: Resource, starts_at: datetime) -> None:
    """In a rush most requests are for a place already gone: say so without locking.

    Only a shortcut: the conditional UPDATE below is what enforces capacity.
    """
    slot = await Slot.get_or_none(resource_id=resource.id, starts_at=starts_at)
    if slot is None or slot.taken < slot.capacity:
        return
    if await Booking.filter(member_id=member_id, live_slot=slot.id).exists():
        raise BookingError("already_booked")
    raise BookingError("slot_taken")


async def _slot_end(
    facility_rules: BookingRules, facility: Facility, starts_at: datetime
) -> datetime:
    """The end of the slot starting then, if the timetable has such a slot."""
    hours = await OpeningHours.filter(facility_id=facility.id)
    for start, end in rules.slot_times(facility_rules, hours, clock.local_day(starts_at)):
        if start == starts_at:
            return end
    raise BookingError("unknown_slot")


async def closure_over(
    resource: Resource, starts_at: datetime, ends_at: datetime
) -> Closure | None:
    """A closure of the whole hall or of this court that overlaps the period, if any."""
    return await Closure.filter(
        Q(resource_id__isnull=True) | Q(resource_id=resource.id),
        facility_id=resource.facility_id,
        starts_at__lt=ends_at,
        ends_at__gt=starts_at,
    ).first()


async def quota(*, member_id: int, facility: Facility, day_start: datetime) -> Quota:
    facility_rules = await rules.rules_for(facility)
    return await _quota(member_id, facility_rules, facility.id, day_start)


async def _quota(
    member_id: int, facility_rules: BookingRules, facility_id: int, day_start: datetime
) -> Quota:
    confirmed = Booking.filter(
        member_id=member_id, facility_id=facility_id, status=BookingStatus.CONFIRMED
    )
    active = await confirmed.filter(ends_at__gt=clock.now()).count()
    day_from, day_to = clock.day_bounds(clock.local_day(day_start))
    that_day = await confirmed.filter(starts_at__gte=day_from, starts_at__lt=day_to)
    minutes = sum(int((b.ends_at - b.starts_at).total_seconds()) // 60 for b in that_day)
    return Quota(
        active=active,
        max_active=facility_rules.max_active,
        minutes_today=minutes,
        max_minutes=facility_rules.max_minutes_per_day,
    )


async def _check_quota(
    member_id: int, facility_rules: BookingRules, starts_at: datetime, ends_at: datetime
) -> None:
    used = await _quota(member_id, facility_rules, facility_rules.facility_id, starts_at)
    if used.active >= used.max_active:
        raise BookingError("over_quota_active", max=used.max_active)
    length = int((ends_at - starts_at).total_seconds()) // 60
    if used.minutes_today + length > used.max_minutes:
        raise BookingError("over_quota_hours", hours=f"{used.max_minutes / 60:g}")


async def _slot_row(resource: Resource, starts_at: datetime, ends_at: datetime) -> Slot:
    """The slot's row, made on first use; a concurrent maker wins and we read its row."""
    fresh = Slot(resource_id=resource.id, starts_at=starts_at, ends_at=ends_at)
    fresh.capacity = resource.capacity
    await Slot.bulk_create([fresh], ignore_conflicts=True)
    slot = await Slot.get(resource_id=resource.id, starts_at=starts_at)
    if clock.utc(slot.ends_at) == ends_at:
        return slot
    # Left by a cancelled booking before the slot length changed: an empty row takes the
    # new length; a held one (the length lock should prevent it) is never stretched.
    if not await Slot.filter(id=slot.id, taken=0).update(ends_at=ends_at):
        raise BookingError("unknown_slot")
    return await Slot.get(id=slot.id)


async def _insert(member_id: int, resource: Resource, slot: Slot) -> Booking:
    try:
        return await Booking.create(
            slot_id=slot.id,
            member_id=member_id,
            facility_id=resource.facility_id,
            resource_id=resource.id,
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            live_slot=slot.id,
        )
    except IntegrityError:
        # The member's other request got there first; this transaction rolls back.
        raise BookingError("already_booked") from None


async def cancel(*, member_id: int, booking_id: int) -> Booking:
    booking = await own_booking(member_id=member_id, booking_id=booking_id)
    now = clock.now()
    if booking.status != BookingStatus.CONFIRMED:
        raise BookingError("already_cancelled")
    if booking.starts_at <= now:
        raise BookingError("booking_started")
    facility_rules = await rules.rules_for(await Facility.get(id=booking.facility_id))
    late = now > booking.starts_at - timedelta(minutes=facility_rules.cancel_cutoff_minutes)
    status = BookingStatus.LATE_CANCELLED if late else BookingStatus.CANCELLED
    async with in_transaction():
        await release(booking, status=status, actor_id=member_id, action="cancel")
    return await Booking.get(id=booking_id)


async def release(
    booking: Booking,
    *,
    status: BookingStatus,
    actor_id: int | None,
    action: str,
    detail: dict[str, object] | None = None,
) -> None:
    """Cancel a confirmed booking and free its place; call inside a transaction.

    The conditional UPDATE makes a double cancel (two tabs, a closure racing the
    member) free the place once only.
    """
    changed = await Booking.filter(id=booking.id, status=BookingStatus.CONFIRMED).update(
        status=status, live_slot=None, cancelled_at=clock.now()
    )
    if not changed:
        raise BookingError("already_cancelled")
    await Slot.filter(id=booking.slot_id).update(taken=F("taken") - 1)
    await audit.record(
        actor_id=actor_id,
        entity="booking",
        entity_id=booking.id,
        action=action,
        from_state=BookingStatus.CONFIRMED,
        to_state=status,
        detail=detail,
    )


async def own_booking(*, member_id: int, booking_id: int) -> Booking:
    """The member's own booking; someone else's id looks exactly like a missing one."""
    booking = await Booking.get_or_none(id=booking_id, member_id=member_id)
    if booking is None:
        raise BookingError("unknown_booking")
    return booking


async def set_partners(*, member_id: int, booking_id: int, card_nos: list[str]) -> list[Member]:
    """Name up to three partner members (doubles) by card number; replaces the list."""
    booking = await own_booking(member_id=member_id, booking_id=booking_id)
    facility_rules = await rules.rules_for(await Facility.get(id=booking.facility_id))
    if not facility_rules.partners_allowed:
        raise BookingError("partners_not_allowed")
    if booking.status != BookingStatus.CONFIRMED or booking.starts_at <= clock.now():
        raise BookingError("booking_not_changeable")
    partners = await _partners_from_cards(member_id, card_nos)
    async with in_transaction():
        await BookingPartner.filter(booking_id=booking.id).delete()
        for partner in partners:
            await BookingPartner.create(booking_id=booking.id, member_id=partner.id)
        await audit.record(
            actor_id=member_id,
            entity="booking",
            entity_id=booking.id,
            action="partners",
            detail={"partners": [p.card_no for p in partners]},
        )
    return partners


async def _partners_from_cards(member_id: int, card_nos: list[str]) -> list[Member]:
    wanted = list(dict.fromkeys(accounts.normalize_card(c) for c in card_nos if c.strip()))
    if len(wanted) > rules.MAX_PARTNERS:
        raise BookingError("too_many_partners", max=rules.MAX_PARTNERS)
    for card in wanted:
        if not accounts.CARD_RE.fullmatch(card):
            shown = "".join(ch for ch in card if ch.isprintable())[:20]
            raise BookingError("unknown_partner", card=shown)
    found = {m.card_no: m for m in await Member.filter(card_no__in=wanted)}
    partners = []
    for card in wanted:
        partner = found.get(card)
        if partner is None or partner.status != MemberStatus.ACTIVE:
            raise BookingError("unknown_partner", card=card[:20])
        if partner.id == member_id:
            raise BookingError("partner_is_self")
        partners.append(partner)
    return partners


@dataclass(frozen=True)
class BookingView:
    booking: Booking
    facility: Facility
    resource: Resource
    owner: Member
    partners: list[Member]
    mine: bool  # False when the member is named as a partner
    late_from: datetime  # cancelling after this counts as a late cancel
    partners_allowed: bool

    @property
    def late_now(self) -> bool:
        return clock.now() > self.late_from

    @property
    def upcoming(self) -> bool:
        return self.booking.status == BookingStatus.CONFIRMED and self.booking.ends_at > clock.now()

    @property
    def cancellable(self) -> bool:
        return self.mine and self.upcoming and self.booking.starts_at > clock.now()


@dataclass(frozen=True)
class MemberBookings:
    upcoming: list[BookingView]
    past: list[BookingView]
    cancelled: list[BookingView]


async def _views(found: list[Booking], member_id: int) -> list[BookingView]:
    ids = [b.id for b in found]
    partner_rows = await BookingPartner.filter(booking_id__in=ids).select_related("member")
    partners: dict[int, list[Member]] = {}
    for row in partner_rows:
        partners.setdefault(row.booking_id, []).append(row.member)
    by_facility = {}
    for facility in {b.facility.id: b.facility for b in found}.values():
        by_facility[facility.id] = await rules.rules_for(facility)
    return [
        BookingView(
            booking=b,
            facility=b.facility,
            resource=b.resource,
            owner=b.member,
            partners=partners.get(b.id, []),
            mine=b.member_id == member_id,
            late_from=b.starts_at
            - timedelta(minutes=by_facility[b.facility_id].cancel_cutoff_minutes),
            partners_allowed=by_facility[b.facility_id].partners_allowed,
        )
        for b in found
    ]


async def member_bookings(*, member_id: int, limit: int = 100) -> MemberBookings:
    """The member's own bookings and those naming them as a partner."""
    partner_of = BookingPartner.filter(member_id=member_id).values_list("booking_id", flat=True)
    ids = set(await partner_of)
    query = (
        Booking.filter(member_id=member_id)
        if not ids
        else Booking.filter(Q(member_id=member_id) | Q(id__in=ids))
    )
    found = (
        await query.select_related("facility", "resource", "member")
        .order_by("-starts_at")
        .limit(limit)
    )
    views = await _views(found, member_id)
    upcoming = sorted((v for v in views if v.upcoming), key=lambda v: v.booking.starts_at)
    past = [v for v in views if v.booking.status == BookingStatus.CONFIRMED and not v.upcoming]
    cancelled = [v for v in views if v.booking.status != BookingStatus.CONFIRMED]
    return MemberBookings(upcoming, past, cancelled)


async def view_of(booking: Booking) -> BookingView:
    """A booking as its owner sees it (for the front desk reading a code)."""
    await booking.fetch_related("facility", "resource", "member")
    return (await _views([booking], booking.member_id))[0]


async def booking_view(*, member_id: int, booking_id: int) -> BookingView:
    """One booking the member made or is a partner in; anything else is unknown."""
    booking = await Booking.get_or_none(id=booking_id).select_related(
        "facility", "resource", "member"
    )
    if booking is None:
        raise BookingError("unknown_booking")
    view = (await _views([booking], member_id))[0]
    if not view.mine and member_id not in {p.id for p in view.partners}:
        raise BookingError("unknown_booking")
    return view


async def views_since(*, member_id: int, since: datetime) -> list[BookingView]:
    """Everything the member made or is named on starting from ``since``, cancelled too.

    Unlike member_bookings there is no limit: a calendar must not lose events.
    """
    partner_of = BookingPartner.filter(member_id=member_id).values_list("booking_id", flat=True)
    ids = set(await partner_of)
    visible = Q(member_id=member_id) | Q(id__in=ids) if ids else Q(member_id=member_id)
    found = (
        await Booking.filter(visible, starts_at__gte=since)
        .select_related("facility", "resource", "member")
        .order_by("starts_at", "id")
    )
    return await _views(found, member_id)
