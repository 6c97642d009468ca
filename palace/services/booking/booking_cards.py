"""My bookings' cards: one statement reads them, for the first page and "show more" alike.

A card is a plain value with what the card shows (booking_views.member_bookings and
history_page hand them to templates/bookings/_booking_card.html): no ORM object is
made or filled in here. Halls and courts come from the set-up cache.
"""

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from palace.models import (
    BookingPartner,
    BookingStatus,
    Facility,
    Resource,
    SessionStatus,
)
from palace.services.booking import booking_names, booking_sql, booking_states
from palace.services.core import clock
from palace.services.facilities import setup_cache


@dataclass(frozen=True)
class ClassFacts:
    """The class session a place was taken in."""

    name_zh: str
    name_en: str
    instructor_name: str
    status: SessionStatus
    cancel_reason: str

    def name(self, lang: str) -> str:
        return self.name_zh if lang.startswith("zh") else self.name_en


@dataclass(frozen=True)
class ChildFacts:
    id: int
    name: str


@dataclass(frozen=True)
class Card:
    """One booking as its card on My bookings shows it."""

    id: int
    slot_id: int
    starts_at: datetime
    ends_at: datetime
    status: BookingStatus
    checked_in_at: datetime | None
    facility: Facility  # from the set-up cache: read, never changed
    resource: Resource
    owner_name: str
    mine: bool  # False when the member is named as a partner
    partnered: bool  # names partners
    partner_names: tuple[str, ...] = ()
    session: ClassFacts | None = None
    child: ChildFacts | None = None
    palace_reason: str | None = None  # a closure's reason, as staff wrote it

    def title(self, lang: str) -> str:
        return booking_names.place_name(
            lang,
            facility=self.facility,
            resource=self.resource,
            class_type=self.session,
            child=self.child,
        )

    @property
    def state(self) -> booking_states.Shown:
        return booking_states.shown_of(self.status, self.checked_in_at, self.ends_at)

    @property
    def cancelled(self) -> bool:
        return self.status in booking_states.CANCELLED

    @property
    def instructor_name(self) -> str | None:
        return self.session.instructor_name if self.session is not None else None

    @property
    def class_cancelled(self) -> bool:
        session_status = self.session.status if self.session is not None else None
        return booking_states.cancelled_with_class(self.status, session_status)


# Both lists in one statement: the upcoming ones (confirmed, not over, soonest first) and
# one page of the rest (newest first, one more to tell whether more follow), among the
# bookings the member sees. Driven from those booking ids (a few dozen, by index).
_CARDS = """
SELECT * FROM (SELECT 1 AS part, {columns} {joins}
  AND b.status = :confirmed AND b.ends_at > :now
  ORDER BY b.starts_at, b.id LIMIT :upcoming) soon
UNION ALL
SELECT * FROM (SELECT 2 AS part, {columns} {joins}
  AND (b.status <> :confirmed OR b.ends_at <= :now)
  ORDER BY b.starts_at DESC, b.id DESC LIMIT :history OFFSET :skip) past
"""
_COLUMNS = """b.id, b.slot_id, b.member_id, b.facility_id, b.resource_id, b.starts_at,
  b.ends_at, b.status, b.checked_in_at, m.name AS owner_name, cs.id AS session_id,
  cs.status AS session_status, cs.cancel_reason, ct.name_zh AS class_zh,
  ct.name_en AS class_en, i.name AS instructor_name, c.id AS child_id, c.name AS child_name,
  EXISTS (SELECT 1 FROM booking_partners bp WHERE bp.booking_id = b.id) AS partnered"""
_JOINS = """FROM ({visible}) v
  JOIN bookings b ON b.id = v.id
  JOIN members m ON m.id = b.member_id
  LEFT JOIN class_sessions cs ON cs.slot_id = b.slot_id
  LEFT JOIN class_types ct ON ct.id = cs.class_type_id
  LEFT JOIN instructors i ON i.id = cs.instructor_id
  LEFT JOIN children c ON c.id = b.child_id
  WHERE TRUE"""
CARDS = _CARDS.format(columns=_COLUMNS, joins=_JOINS.format(visible=booking_states.VISIBLE_IDS))
UPCOMING_MAX = 100


def when(value: Any) -> datetime:
    """A time as a hand-written read returns it (SQLite: text), in UTC."""
    return clock.utc(datetime.fromisoformat(value) if isinstance(value, str) else value)


async def read(
    *, member_id: int, page: int, per_page: int, upcoming: bool
) -> tuple[list[Card], list[Card], bool]:
    """The upcoming cards (none unless ``upcoming``), one page of the history and whether
    older history follows."""
    found = await booking_sql.rows(
        CARDS,
        member=member_id,
        confirmed=BookingStatus.CONFIRMED.value,
        now=clock.now(),
        upcoming=UPCOMING_MAX if upcoming else 0,
        history=per_page + 1,
        skip=(page - 1) * per_page,
    )
    cards = await _filled([await _card(row, member_id) for row in found])
    soon = [c for c, row in zip(cards, found, strict=True) if row["part"] == 1]
    past = [c for c, row in zip(cards, found, strict=True) if row["part"] == 2]
    # UNION ALL keeps no order across its parts: put each back in its own.
    soon.sort(key=lambda c: (c.starts_at, c.id))
    past.sort(key=lambda c: (c.starts_at, c.id), reverse=True)
    return soon, past[:per_page], len(past) > per_page


async def _card(row: dict[str, Any], member_id: int) -> Card:
    facility, resource = await _place(int(row["facility_id"]), int(row["resource_id"]))
    session = None
    if row["session_id"] is not None:
        status = SessionStatus(row["session_status"])
        session = ClassFacts(row["class_zh"], row["class_en"], row["instructor_name"], status,
                             row["cancel_reason"] or "")  # fmt: skip
    child = ChildFacts(row["child_id"], row["child_name"]) if row["child_id"] else None
    checked_in = row["checked_in_at"]
    return Card(
        id=int(row["id"]), slot_id=int(row["slot_id"]), starts_at=when(row["starts_at"]),
        ends_at=when(row["ends_at"]), status=BookingStatus(row["status"]),
        checked_in_at=when(checked_in) if checked_in is not None else None,
        facility=facility, resource=resource, owner_name=row["owner_name"],
        mine=row["member_id"] == member_id, partnered=bool(row["partnered"]),
        session=session, child=child,
    )  # fmt: skip


async def _place(facility_id: int, resource_id: int) -> tuple[Facility, Resource]:
    """The hall and court, from the set-up cache; from the database if it knows them not."""
    resource = await setup_cache.resource(resource_id)
    if resource is None or resource.facility_id != facility_id:
        resource = await Resource.get(id=resource_id).select_related("facility")
    return resource.facility, resource


async def _filled(cards: list[Card]) -> list[Card]:
    """The cards with their partners' names and the palace's reasons, each read in one
    query and only when some card has them."""
    partnered = [c.id for c in cards if c.partnered]
    names: dict[int, list[str]] = {}
    if partnered:
        rows = BookingPartner.filter(booking_id__in=partnered).order_by("id")
        for booking_id, name in await rows.values_list("booking_id", "member__name"):
            names.setdefault(booking_id, []).append(name)
    reasons = await booking_states.closure_reasons(
        [c.id for c in cards if booking_states.needs_closure_reason(c.status, c.session)]
    )
    return [
        replace(c, partner_names=tuple(names.get(c.id, ())), palace_reason=reasons.get(c.id))
        for c in cards
    ]
