"""Bookings as members see them: My bookings, one booking, a calendar's events.

Read-only; commands are in ``bookings`` (the core) and ``partners``. My bookings' cards
are read by ``booking_cards``; who sees a booking is decided in ``booking_states``.
"""

import functools
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from palace.models import (
    Booking,
    BookingPartner,
    BookingStatus,
    CalendarFeed,
    Child,
    ClassSession,
    Facility,
    InvitationStatus,
    Member,
    PartnerInvitation,
    Resource,
    SlotKind,
)
from palace.models.waitlists import LIVE
from palace.services.booking import (
    booking_cards,
    booking_names,
    booking_sql,
    booking_states,
    partners,
    slots,
)
from palace.services.booking.booking_cards import Card
from palace.services.booking.bookings import BookingNotFound
from palace.services.core import clock
from palace.services.facilities import rules
from palace.services.waitlist import waitlist_views


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
    # A place in a class: the session with its class type and instructor, and the child
    # it was taken for, if any.
    session: ClassSession | None = None
    child: Child | None = None
    # The booker's invitations not (or no longer) accepted: cards waiting for an answer,
    # declined or left. Empty for anyone but the booker.
    invitations: list[PartnerInvitation] = field(default_factory=list)
    # Why the palace cancelled it (a closure's reason as staff wrote it), when a class
    # session's own cancel reason does not already say so.
    palace_reason: str | None = None

    def title(self, lang: str) -> str:
        """What the booking is for: the class (and child), or the hall and court."""
        return booking_names.place_name(
            lang,
            facility=self.facility,
            resource=self.resource,
            class_type=self.session.class_type if self.session is not None else None,
            child=self.child,
        )

    @property
    def late_now(self) -> bool:
        return clock.now() > self.late_from

    @property
    def upcoming(self) -> bool:
        return self.booking.status == BookingStatus.CONFIRMED and self.booking.ends_at > clock.now()

    @property
    def cancellable(self) -> bool:
        return self.mine and self.upcoming and self.booking.starts_at > clock.now()

    @property
    def cancelled(self) -> bool:
        return booking_states.is_cancelled(self.booking)

    @property
    def state(self) -> booking_states.Shown:
        return booking_states.shown(self.booking)

    @property
    def instructor_name(self) -> str | None:
        return self.session.instructor.name if self.session is not None else None

    @property
    def class_cancelled(self) -> bool:
        session_status = self.session.status if self.session is not None else None
        return booking_states.cancelled_with_class(self.booking.status, session_status)


HISTORY_PAGE = 20  # past and cancelled bookings shown at a time


@dataclass(frozen=True)
class MemberBookings:
    upcoming: list[Card]
    history: list[Card]  # one page of past and cancelled ones, newest first
    invitations: list[partners.Invitation] = field(default_factory=list)
    history_page: int = 1
    more: bool = False  # older history after this page
    lines: list[waitlist_views.Line] = field(default_factory=list)  # for slots to come
    feed: CalendarFeed | None = None

    @property
    def past(self) -> list[Card]:
        return [c for c in self.history if not c.cancelled]

    @property
    def cancelled(self) -> list[Card]:
        return [c for c in self.history if c.cancelled]


async def _views(found: list[Booking], member_id: int) -> list[BookingView]:
    """Views of ``found``, loading what they name in one query per kind for all of them."""
    if not found:
        return []
    named = await _partners(found)
    invited = await _open_invitations(found, member_id)
    by_facility = {}
    for facility in {b.facility.id: b.facility for b in found}.values():
        by_facility[facility.id] = await rules.rules_for(facility)
    sessions = await _sessions(found)
    child_ids = {b.child_id for b in found if b.child_id}
    children = {c.id: c for c in await Child.filter(id__in=child_ids)} if child_ids else {}
    reasons = await booking_states.palace_reasons(found, sessions)
    return [
        BookingView(
            booking=b,
            facility=b.facility,
            resource=b.resource,
            owner=b.member,
            partners=named.get(b.id, []),
            mine=b.member_id == member_id,
            late_from=slots.late_from(b.slot, by_facility[b.facility_id]),
            partners_allowed=by_facility[b.facility_id].partners_allowed,
            session=sessions.get(b.slot_id),
            child=children.get(b.child_id) if b.child_id else None,
            invitations=invited.get(b.id, []),
            palace_reason=reasons.get(b.id),
        )
        for b in found
    ]


async def _partners(found: list[Booking]) -> dict[int, list[Member]]:
    """The partners named on bookings, by booking id."""
    if not found:
        return {}
    rows = await BookingPartner.filter(booking_id__in=[b.id for b in found]).select_related(
        "member"
    )
    named: dict[int, list[Member]] = {}
    for row in rows:
        named.setdefault(row.booking_id, []).append(row.member)
    return named


async def _open_invitations(
    found: list[Booking], member_id: int
) -> dict[int, list[PartnerInvitation]]:
    """The booker's invitations not accepted, by booking: only the booker sees them."""
    own = [b.id for b in found if b.member_id == member_id]
    if not own:
        return {}
    rows = await PartnerInvitation.filter(booking_id__in=own).exclude(
        status=InvitationStatus.ACCEPTED
    )
    invited: dict[int, list[PartnerInvitation]] = {}
    for row in rows:
        invited.setdefault(row.booking_id, []).append(row)
    return invited


async def _sessions(found: list[Booking]) -> dict[int, ClassSession]:
    """The class sessions behind bookings, by slot id (court bookings have none)."""
    ids = [b.slot_id for b in found if b.slot.kind == SlotKind.SESSION]
    if not ids:
        return {}
    rows = await ClassSession.filter(slot_id__in=ids).select_related("class_type", "instructor")
    return {row.slot_id: row for row in rows}


async def upcoming(*, member_id: int, limit: int = 100) -> list[BookingView]:
    """Confirmed bookings not yet over, soonest first (the desk's view of a member)."""
    found = (
        await Booking.filter(
            booking_states.visible_to(member_id),
            status=BookingStatus.CONFIRMED,
            ends_at__gt=clock.now(),
        )
        .select_related("facility", "resource", "member", "slot")
        .order_by("starts_at", "id")
        .limit(limit)
    )
    return await _views(found, member_id)


# Whatever else My bookings shows, asked in one round trip: whether invitations wait for
# the member's answer and whether they stand in a line (each read in full only then),
# and their calendar feed.
_ASIDE = """
SELECT
  EXISTS (SELECT 1 FROM partner_invitations pi JOIN bookings b ON b.id = pi.booking_id
    WHERE pi.member_id = :member AND pi.status = :pending AND b.status = :confirmed
      AND b.starts_at > :now) AS invited,
  EXISTS (SELECT 1 FROM waitlist_entries w JOIN slots s ON s.id = w.slot_id
    WHERE w.member_id = :member AND w.status IN ({live}) AND s.starts_at > :now) AS waiting,
  cf.id AS feed_id, cf.token AS feed_token, cf.created_at AS feed_created_at
FROM (SELECT 1 AS one) one LEFT JOIN calendar_feeds cf ON cf.member_id = :member
"""


@functools.cache
def _aside_sql() -> str:
    return _ASIDE.format(live=", ".join(f"'{status.value}'" for status in LIVE))


async def asked_aside(*, member_id: int) -> dict[str, Any]:
    """What My bookings asks beside its cards (``_ASIDE``): ``invited`` and ``waiting``
    say whether ``partners.invitations_for`` and ``waitlist_views.my_lines`` would find
    any (a test holds them to it), ``feed_*`` the calendar feed."""
    found = await booking_sql.first(
        _aside_sql(),
        member=member_id,
        pending=InvitationStatus.PENDING.value,
        confirmed=BookingStatus.CONFIRMED.value,
        now=clock.now(),
    )
    assert found is not None  # one row, always
    return found


async def member_bookings(*, member_id: int, history_page: int = 1) -> MemberBookings:
    """Upcoming bookings, then one page of the rest (over or cancelled), newest first,
    with the invitations waiting for an answer, the lines the member stands in and
    their calendar feed.

    For My bookings: both lists are read in one query with the classes and children
    they name (booking_cards), the rest in a second; invitations, lines, partners and
    the palace's reasons are read in full only when there are some.
    """
    soon, history, more = await booking_cards.read(
        member_id=member_id, page=history_page, per_page=HISTORY_PAGE, upcoming=True
    )
    aside = await asked_aside(member_id=member_id)
    return MemberBookings(
        upcoming=soon,
        history=history,
        invitations=(
            await partners.invitations_for(member_id=member_id) if aside["invited"] else []
        ),
        history_page=history_page,
        more=more,
        lines=await waitlist_views.my_lines(member_id=member_id) if aside["waiting"] else [],
        feed=_feed(member_id, aside),
    )


def _feed(member_id: int, aside: dict[str, object]) -> CalendarFeed | None:
    """The member's calendar feed as the aside read it (an unsaved, read-only copy)."""
    if aside["feed_id"] is None:
        return None
    return CalendarFeed(
        id=aside["feed_id"],
        member_id=member_id,
        token=aside["feed_token"],
        created_at=booking_cards.when(aside["feed_created_at"]),
    )


async def history_page(*, member_id: int, page: int) -> MemberBookings:
    """Only a later page of the history (upcoming ones and invitations left out): the
    same read as the first page's."""
    _soon, history, more = await booking_cards.read(
        member_id=member_id, page=page, per_page=HISTORY_PAGE, upcoming=False
    )
    return MemberBookings([], history, [], page, more)


async def booking_view(*, member_id: int, booking_id: int) -> BookingView:
    """One booking the member made or is a partner in; anything else is unknown."""
    booking = await Booking.get_or_none(id=booking_id).select_related(
        "facility", "resource", "member", "slot"
    )
    if booking is None:
        raise BookingNotFound("unknown_booking")
    view = (await _views([booking], member_id))[0]
    if not booking_states.sees(booking, member_id, (p.id for p in view.partners)):
        raise BookingNotFound("unknown_booking")
    return view


async def views_since(*, member_id: int, since: datetime) -> list[BookingView]:
    """Everything the member made or is named on starting from ``since``, cancelled too.

    Unlike member_bookings there is no limit: a calendar must not lose events.
    """
    found = (
        await Booking.filter(booking_states.visible_to(member_id), starts_at__gte=since)
        .select_related("facility", "resource", "member", "slot")
        .order_by("starts_at", "id")
    )
    return await _views(found, member_id)


async def listing(
    *, member_id: int, offset: int, limit: int, upcoming: bool = False
) -> tuple[int, list[BookingView]]:
    """One page of the bookings the member sees (``booking_states.visible_to``) and how
    many there are: the JSON API's My bookings, each as its own page shows it (the same
    view as ``booking_view``). ``upcoming``: confirmed and not over, soonest first;
    else every one, newest first."""
    visible = Booking.filter(booking_states.visible_to(member_id))
    if upcoming:
        visible = visible.filter(status=BookingStatus.CONFIRMED, ends_at__gt=clock.now())
    order = ("starts_at", "id") if upcoming else ("-starts_at", "-id")
    found = (
        await visible.select_related("facility", "resource", "member", "slot")
        .order_by(*order)
        .offset(offset)
        .limit(limit)
    )
    return await visible.count(), await _views(found, member_id)
