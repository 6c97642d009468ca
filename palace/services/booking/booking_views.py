"""Bookings as members see them: My bookings, one booking, a calendar's events.

Read-only; commands are in ``bookings`` (the core) and ``partners``.
"""

import functools
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tortoise.expressions import Q
from tortoise.models import Model

from palace.models import (
    Booking,
    BookingPartner,
    BookingStatus,
    CalendarFeed,
    Child,
    ClassSession,
    ClassType,
    Facility,
    Instructor,
    InvitationStatus,
    Member,
    PartnerInvitation,
    Resource,
    Slot,
    SlotKind,
)
from palace.models.waitlists import LIVE
from palace.services.booking import booking_names, booking_sql, booking_states, partners, slots
from palace.services.booking.bookings import BookingNotFound
from palace.services.core import clock
from palace.services.facilities import rules, setup_cache
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


HISTORY_PAGE = 20  # past and cancelled bookings shown at a time


@dataclass(frozen=True)
class MemberBookings:
    upcoming: list[BookingView]
    history: list[BookingView]  # one page of past and cancelled ones, newest first
    invitations: list[partners.Invitation] = field(default_factory=list)
    history_page: int = 1
    more: bool = False  # older history after this page
    lines: list[waitlist_views.Line] = field(default_factory=list)  # for slots to come
    feed: CalendarFeed | None = None

    @property
    def past(self) -> list[BookingView]:
        return [v for v in self.history if not v.cancelled]

    @property
    def cancelled(self) -> list[BookingView]:
        return [v for v in self.history if v.cancelled]


@dataclass(frozen=True)
class _Known:
    """What a joined read already brought for the bookings it found: their class sessions
    (by slot id), children (by id), and which of them name partners at all."""

    sessions: dict[int, ClassSession]
    children: dict[int, Child]
    partnered: set[int]


async def _views(
    found: list[Booking],
    member_id: int,
    *,
    invitations: bool = True,
    known: _Known | None = None,
) -> list[BookingView]:
    """Views of ``found``, loading what they name in one query per kind for all of them.

    ``invitations=False`` leaves each view's invitations empty (My bookings' cards do not
    show them; the booking's own page does). With ``known``, only the partners of the
    bookings that have some are read.
    """
    if not found:
        return []
    named = await _partners(
        found if known is None else [b for b in found if b.id in known.partnered]
    )
    invited = await _open_invitations(found, member_id) if invitations else {}
    by_facility = {}
    for facility in {b.facility.id: b.facility for b in found}.values():
        by_facility[facility.id] = await rules.rules_for(facility)
    if known is not None:
        sessions, children = known.sessions, known.children
    else:
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


async def _visible(member_id: int) -> Q:
    """The member's own bookings (not guests they booked) and those naming them."""
    partner_of = BookingPartner.filter(member_id=member_id).values_list("booking_id", flat=True)
    ids = set(await partner_of)
    own = Q(member_id=member_id, guest_name__isnull=True)
    return own | Q(id__in=ids) if ids else own


async def _upcoming(visible: Q, now: datetime, limit: int) -> list[Booking]:
    return (
        await Booking.filter(visible, status=BookingStatus.CONFIRMED, ends_at__gt=now)
        .select_related("facility", "resource", "member", "slot")
        .order_by("starts_at", "id")
        .limit(limit)
    )


async def upcoming(*, member_id: int, limit: int = 100) -> list[BookingView]:
    """Confirmed bookings not yet over, soonest first."""
    found = await _upcoming(await _visible(member_id), clock.now(), limit)
    return await _views(found, member_id)


async def _history(visible: Q, now: datetime, page: int) -> tuple[list[Booking], bool]:
    """One page of bookings over or cancelled, newest first, and whether more follow."""
    over = Q(status__not=BookingStatus.CONFIRMED) | Q(ends_at__lte=now)
    found = (
        await Booking.filter(visible, over)
        .select_related("facility", "resource", "member", "slot")
        .order_by("-starts_at", "-id")
        .offset((page - 1) * HISTORY_PAGE)
        .limit(HISTORY_PAGE + 1)
    )
    return found[:HISTORY_PAGE], len(found) > HISTORY_PAGE


# A booking with what its card names, table by table, each column as "<alias>__<column>":
# its booker and slot, then (left-joined) the class session with its class type and
# instructor, and the child the place was taken for. Its hall and court come from the
# set-up cache.
_JOINED: tuple[tuple[str, type[Model]], ...] = (
    ("b", Booking),
    ("m", Member),
    ("s", Slot),
)
_LEFT_JOINED: tuple[tuple[str, type[Model]], ...] = (
    ("cs", ClassSession),
    ("ct", ClassType),
    ("i", Instructor),
    ("c", Child),
)


def _columns(model: type[Model]) -> list[str]:
    """Every column the ORM reads to make one ``model`` (its foreign keys' ids too)."""
    meta = model._meta
    found = meta.db_native_fields + meta.db_default_fields + meta.db_complex_fields
    return [key for key, _, _ in found]


@functools.cache
def _joined_columns() -> str:
    return ", ".join(
        f'{alias}."{column}" AS {alias}__{column}'
        for alias, model in _JOINED + _LEFT_JOINED
        for column in _columns(model)
    )


@functools.cache
def _keys() -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    """For each table's alias, its columns' keys in a joined row and their names."""
    return tuple(
        (alias, tuple((f"{alias}__{column}", column) for column in _columns(model)))
        for alias, model in _JOINED + _LEFT_JOINED
    )


@dataclass(frozen=True)
class _Joined:
    booking: Booking  # with its facility, resource, member and slot, as select_related
    session: ClassSession | None  # with its class type and instructor
    child: Child | None
    partnered: bool  # names partners


async def _joined_rows(found: list[dict[str, Any]]) -> list[_Joined]:
    """Bookings as select_related("facility", "resource", "member", "slot") gives them,
    with their class sessions and children; halls and courts come from the set-up cache,
    and a member named on several rows (the member themself, mostly) is made once."""
    members: dict[int, Member] = {}
    joined = []
    for row in found:
        parts = {alias: {column: row[key] for key, column in keys} for alias, keys in _keys()}
        booking = Booking._init_from_db(**parts["b"])
        member = members.get(booking.member_id)
        if member is None:
            member = members[booking.member_id] = Member._init_from_db(**parts["m"])
        object.__setattr__(booking, "_member", member)
        object.__setattr__(booking, "_slot", Slot._init_from_db(**parts["s"]))
        resource = await setup_cache.resource(booking.resource_id)
        if resource is not None and resource.facility_id == booking.facility_id:
            object.__setattr__(booking, "_facility", resource.facility)
            object.__setattr__(booking, "_resource", resource)
        else:  # not as the cache knows it: read from the database
            await booking.fetch_related("facility", "resource")
        session = None
        if parts["cs"]["id"] is not None:
            session = ClassSession._init_from_db(**parts["cs"])
            object.__setattr__(session, "_class_type", ClassType._init_from_db(**parts["ct"]))
            object.__setattr__(session, "_instructor", Instructor._init_from_db(**parts["i"]))
        child = Child._init_from_db(**parts["c"]) if parts["c"]["id"] is not None else None
        joined.append(_Joined(booking, session, child, bool(row["partnered"])))
    return joined


# My bookings' two lists in one round trip: the upcoming ones (confirmed, not over,
# soonest first) and one page of the rest (newest first, one more to tell whether more
# follow), among the member's own bookings (not guests they booked) and those naming
# them.
_MINE = """
SELECT * FROM (SELECT 1 AS part, {columns} {joins}
  AND b.status = :confirmed AND b.ends_at > :now
  ORDER BY b.starts_at, b.id LIMIT :upcoming) soon
UNION ALL
SELECT * FROM (SELECT 2 AS part, {columns} {joins}
  AND (b.status <> :confirmed OR b.ends_at <= :now)
  ORDER BY b.starts_at DESC, b.id DESC LIMIT :history OFFSET :skip) past
"""
# Driven from the member's booking ids (a few dozen, by index), joined outward from there.
_MINE_JOINS = """,
    EXISTS (SELECT 1 FROM booking_partners bp WHERE bp.booking_id = b.id) AS partnered
  FROM (SELECT o.id FROM bookings o WHERE o.member_id = :member AND o.guest_name IS NULL
    UNION SELECT p.booking_id FROM booking_partners p WHERE p.member_id = :member) v
  JOIN bookings b ON b.id = v.id
  JOIN members m ON m.id = b.member_id
  JOIN slots s ON s.id = b.slot_id
  LEFT JOIN class_sessions cs ON cs.slot_id = b.slot_id
  LEFT JOIN class_types ct ON ct.id = cs.class_type_id
  LEFT JOIN instructors i ON i.id = cs.instructor_id
  LEFT JOIN children c ON c.id = b.child_id
  WHERE TRUE"""


@functools.cache
def _mine_sql() -> str:
    return _MINE.format(columns=_joined_columns(), joins=_MINE_JOINS)


async def _mine(member_id: int, page: int) -> tuple[list[_Joined], list[_Joined], bool]:
    """Upcoming bookings, one page of the history, and whether older history follows."""
    found = await booking_sql.rows(
        _mine_sql(),
        member=member_id,
        confirmed=BookingStatus.CONFIRMED.value,
        now=clock.now(),
        upcoming=100,
        history=HISTORY_PAGE + 1,
        skip=(page - 1) * HISTORY_PAGE,
    )
    soon = await _joined_rows([row for row in found if row["part"] == 1])
    past = await _joined_rows([row for row in found if row["part"] == 2])
    soon.sort(key=lambda j: (j.booking.starts_at, j.booking.id))
    past.sort(key=lambda j: (j.booking.starts_at, j.booking.id), reverse=True)
    return soon, past[:HISTORY_PAGE], len(past) > HISTORY_PAGE


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
  {feed_columns}
FROM (SELECT 1 AS one) one LEFT JOIN calendar_feeds cf ON cf.member_id = :member
"""


@functools.cache
def _aside_sql() -> str:
    feed_columns = ", ".join(f'cf."{c}" AS cf__{c}' for c in _columns(CalendarFeed))
    live = ", ".join(f"'{status.value}'" for status in LIVE)
    return _ASIDE.format(feed_columns=feed_columns, live=live)


async def member_bookings(*, member_id: int, history_page: int = 1) -> MemberBookings:
    """Upcoming bookings, then one page of the rest (over or cancelled), newest first,
    with the invitations waiting for an answer, the lines the member stands in and
    their calendar feed.

    For My bookings: both lists are read in one query with the classes and children
    they name, the rest in a second; invitations, lines and partners are read in full
    only when there are some. The views carry no invitations; the cards do not show them.
    """
    soon, history, more = await _mine(member_id, history_page)
    joined = soon + history
    known = _Known(
        sessions={j.booking.slot_id: j.session for j in joined if j.session is not None},
        children={j.child.id: j.child for j in joined if j.child is not None},
        partnered={j.booking.id for j in joined if j.partnered},
    )
    views = await _views([j.booking for j in joined], member_id, invitations=False, known=known)
    aside = await booking_sql.first(
        _aside_sql(),
        member=member_id,
        pending=InvitationStatus.PENDING.value,
        confirmed=BookingStatus.CONFIRMED.value,
        now=clock.now(),
    )
    assert aside is not None  # one row, always
    feed_row = {k.removeprefix("cf__"): v for k, v in aside.items() if k.startswith("cf__")}
    return MemberBookings(
        upcoming=views[: len(soon)],
        history=views[len(soon) :],
        invitations=(
            await partners.invitations_for(member_id=member_id) if aside["invited"] else []
        ),
        history_page=history_page,
        more=more,
        lines=await waitlist_views.my_lines(member_id=member_id) if aside["waiting"] else [],
        feed=CalendarFeed._init_from_db(**feed_row) if feed_row["id"] is not None else None,
    )


async def history_page(*, member_id: int, page: int) -> MemberBookings:
    """Only a later page of the history (upcoming ones and invitations left out)."""
    history, more = await _history(await _visible(member_id), clock.now(), page)
    views = await _views(history, member_id, invitations=False)
    return MemberBookings([], views, [], page, more)


async def view_of(booking: Booking) -> BookingView:
    """A booking as its owner sees it (for the front desk reading a code)."""
    await booking.fetch_related("facility", "resource", "member", "slot")
    return (await _views([booking], booking.member_id))[0]


async def booking_view(*, member_id: int, booking_id: int) -> BookingView:
    """One booking the member made or is a partner in; anything else is unknown."""
    booking = await Booking.get_or_none(id=booking_id).select_related(
        "facility", "resource", "member", "slot"
    )
    if booking is None:
        raise BookingNotFound("unknown_booking")
    view = (await _views([booking], member_id))[0]
    if not view.mine and member_id not in {p.id for p in view.partners}:
        raise BookingNotFound("unknown_booking")
    return view


async def views_since(*, member_id: int, since: datetime) -> list[BookingView]:
    """Everything the member made or is named on starting from ``since``, cancelled too.

    Unlike member_bookings there is no limit: a calendar must not lose events.
    """
    partner_of = BookingPartner.filter(member_id=member_id).values_list("booking_id", flat=True)
    ids = set(await partner_of)
    own = Q(member_id=member_id, guest_name__isnull=True)
    visible = own | Q(id__in=ids) if ids else own
    found = (
        await Booking.filter(visible, starts_at__gte=since)
        .select_related("facility", "resource", "member", "slot")
        .order_by("starts_at", "id")
    )
    return await _views(found, member_id)


async def listing(
    *, member_id: int, offset: int, limit: int, upcoming: bool = False
) -> tuple[int, list[BookingView]]:
    """One page of the bookings the member sees (``_visible``) and how many there are:
    the JSON API's My bookings. ``upcoming``: confirmed and not over, soonest first;
    else every one, newest first."""
    visible = Booking.filter(await _visible(member_id))
    if upcoming:
        visible = visible.filter(status=BookingStatus.CONFIRMED, ends_at__gt=clock.now())
    order = ("starts_at", "id") if upcoming else ("-starts_at", "-id")
    found = (
        await visible.select_related("facility", "resource", "member", "slot")
        .order_by(*order)
        .offset(offset)
        .limit(limit)
    )
    return await visible.count(), await _views(found, member_id, invitations=False)
