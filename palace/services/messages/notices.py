"""What each kind of notification says, in the member's language.

One place for the words, used by the inbox and by the outbound channels (a worker
sends the same text by SMS or e-mail). The row keeps ids and values; names and
times are written when the message is read, in the reader's language.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from babel.dates import format_skeleton
from tortoise.expressions import Q

from palace import catalog
from palace.i18n import BABEL_LOCALES, N_, gettext_for
from palace.models import Booking, Child, ClassSession, Instructor, Member, Notification, Resource
from palace.models.facilities import Facility
from palace.services.booking import booking_names, partners
from palace.services.core import clock
from palace.services.messages.notice_words import TEXTS, TITLES, WITH_FREE

# Messages about a partner invitation: their place, time and booker come from the booking.
PARTNER_KINDS = frozenset(
    {"partner_invitation", "partner_accepted", "partner_declined", "partner_left"}
)
# Answers written before each had its own kind: {"card": ..., "answer": "accepted"}.
OLD_ANSWER = "partner_answer"
# Messages whose booking is gone: they link nowhere.
CANCELLED_KINDS = frozenset({"booking_cancelled_by_palace", "class_cancelled"})
# About the member's booking as a whole (or a ballot entry), not one place.
MEMBER_KINDS = frozenset(
    {"booking_suspended", "suspension_lifted", "account_suspended", "account_suspended_open"}
) | {"ballot_lost", "queue_lost"}
# About a day (or a week from a day) as a whole: its time of day means nothing.
DAY_KINDS = frozenset({"ballot_lost", "queue_lost"})
# Why a member was passed over in a line is the error that kept them out (the one
# catalog); a code it does not know says this.
OTHER_REASON = N_("a booking rule does not allow it.")
# Reasons a service stores as a code rather than as staff's words
# ("schedule_changed" is schedule_edits.DROPPED_REASON).
CODED_REASONS = {"schedule_changed": N_("the weekly class changed.")}
GENERIC = N_("You have a new message.")
# What members may also have sent outside the app (their own taps excepted).
OUTBOUND_KINDS = (
    "waitlist_offer",
    "waitlist_promoted",
    "waitlist_offer_expired",
    "booking_cancelled_by_palace",
    "class_cancelled",
    "class_changed",
    "class_instructor_changed",
    "reminder",
    "booked",
    "no_show",
    "booking_suspended",
    "suspension_lifted",
    "ballot_won",
    "ballot_lost",
    "queue_won",
    "queue_lost",
)


@dataclass(frozen=True)
class Places:
    """Names of the courts, rooms, classes, children and instructors the messages talk about."""

    resources: dict[int, Resource]
    sessions: dict[int, ClassSession]
    instructors: dict[int, Instructor]
    by_slot: dict[int, ClassSession]  # a class session by its slot (waitlist messages)
    children: dict[int, Child]  # by id (``child_id`` in a waitlist message's detail)
    booked_for: dict[int, Child]  # the child a booking was taken for, by booking id
    # Bookings partner messages are about (``resource``, ``facility`` and ``member`` the
    # booker loaded), and the partners they name.
    bookings: dict[int, Booking] = field(default_factory=dict)
    members: dict[int, Member] = field(default_factory=dict)
    halls: dict[int, Facility] = field(default_factory=dict)  # a ballot's or queue's hall

    def name(self, detail: dict[str, object], lang: str, *, booking_id: int | None = None) -> str:
        """What the message is about, named as everywhere (booking_names): the class
        and the child it is for, or the hall and court."""
        session = self.sessions.get(_int(detail.get("session_id"))) or self.by_slot.get(
            _int(detail.get("slot_id"))
        )
        if session is not None:
            return self._class(session, detail, lang, booking_id)
        resource = self.resources.get(_int(detail.get("resource_id")))
        if resource is None:
            return gettext_for(lang, N_("the palace"))
        return booking_names.place_name(lang, facility=resource.facility, resource=resource)

    def class_name(
        self, detail: dict[str, object], lang: str, *, booking_id: int | None = None
    ) -> str:
        session = self.sessions.get(_int(detail.get("session_id")))
        return self._class(session, detail, lang, booking_id) if session else ""

    def _class(
        self, session: ClassSession, detail: dict[str, object], lang: str, booking_id: int | None
    ) -> str:
        child = self.children.get(_int(detail.get("child_id"))) or self.booked_for.get(
            booking_id or 0
        )
        return booking_names.place_name(lang, class_type=session.class_type, child=child)

    def room(self, detail: dict[str, object], lang: str) -> str:
        """The room a moved class meets in now (``room_id``)."""
        room = self.resources.get(_int(detail.get("room_id")))
        return f"{room.facility.name(lang)} · {room.name(lang)}" if room else ""

    def free(self, detail: dict[str, object], lang: str) -> str:
        """The courts that were free at the same time (``free_resource_ids``)."""
        found = (self.resources.get(_int(i)) for i in _list(detail.get("free_resource_ids")))
        return ", ".join(r.name(lang) for r in found if r is not None)

    def instructor(self, detail: dict[str, object]) -> str:
        found = self.instructors.get(_int(detail.get("instructor_id")))
        return found.name if found else str(detail.get("instructor", ""))


def _int(value: object) -> int:
    return value if isinstance(value, int) else 0


def _list(value: object) -> list[object]:
    return value if isinstance(value, list) else []


def _ids(notifications: Iterable[Notification], key: str) -> list[int]:
    values = (n.detail.get(key) for n in notifications if isinstance(n.detail, dict))
    return [v for v in values if isinstance(v, int)]


def _id_lists(notifications: Iterable[Notification], key: str) -> list[int]:
    lists = (n.detail.get(key) for n in notifications if isinstance(n.detail, dict))
    return [v for found in lists for v in _list(found) if isinstance(v, int)]


async def places_for(notifications: Iterable[Notification]) -> Places:
    found = list(notifications)
    resource_ids = _ids(found, "resource_id") + _ids(found, "room_id")
    resource_ids += _id_lists(found, "free_resource_ids")
    resources = await Resource.filter(id__in=resource_ids).select_related("facility")
    sessions = await ClassSession.filter(
        Q(id__in=_ids(found, "session_id")) | Q(slot_id__in=_ids(found, "slot_id"))
    ).select_related("class_type", "slot__resource")
    instructors = await Instructor.filter(id__in=_ids(found, "instructor_id"))
    children = await Child.filter(id__in=_ids(found, "child_id"))
    booked = [n.booking_id for n in found if n.booking_id is not None]
    for_children = (
        await Booking.filter(id__in=booked, child_id__not_isnull=True).select_related("child")
        if booked
        else []
    )
    return Places(
        {r.id: r for r in resources},
        {s.id: s for s in sessions},
        {i.id: i for i in instructors},
        {s.slot_id: s for s in sessions},
        {c.id: c for c in children},
        {b.id: b.child for b in for_children if b.child is not None},
        *await _partner_facts(found),
        halls=await _ballot_halls(found),
    )


async def _ballot_halls(found: list[Notification]) -> dict[int, Facility]:
    """The halls ballot and queue messages are about (only those: other inboxes need no
    query)."""
    ids = _ids([n for n in found if n.kind.startswith(("ballot_", "queue_"))], "facility_id")
    return {f.id: f for f in await Facility.filter(id__in=ids)} if ids else {}


async def _partner_facts(
    found: list[Notification],
) -> tuple[dict[int, Booking], dict[int, Member]]:
    """The bookings partner messages are about, and the partners they name."""
    about = [n for n in found if kind_of(n) in PARTNER_KINDS]
    booking_ids = [n.booking_id for n in about if n.booking_id is not None]
    bookings = (
        await Booking.filter(id__in=booking_ids).select_related("resource__facility", "member")
        if booking_ids
        else []
    )
    member_ids = _ids(about, "partner_id")
    members = await Member.filter(id__in=member_ids) if member_ids else []
    return {b.id: b for b in bookings}, {m.id: m for m in members}


def kind_of(notification: Notification) -> str:
    """The message's kind; an old partner answer's is read from the answer it holds."""
    if notification.kind == OLD_ANSWER and isinstance(notification.detail, dict):
        return f"partner_{notification.detail.get('answer')}"
    return notification.kind


def link(notification: Notification, places: Places | None = None) -> tuple[str, str] | None:
    """Where the message leads, with the link's words: a page its reader may open."""
    if notification.kind == "queue_lost" and places is not None:
        return _leftovers(notification, places)
    if notification.booking_id is None or notification.kind in CANCELLED_KINDS:
        return None
    if notification.kind == "partner_invitation":
        return f"/bookings/{notification.booking_id}/invitation", N_("See the invitation")
    return f"/bookings/{notification.booking_id}", N_("See the booking")


def _leftovers(notification: Notification, places: Places) -> tuple[str, str] | None:
    """A queue that gave no place: its day's timetable, where places left are first-come."""
    detail = notification.detail if isinstance(notification.detail, dict) else {}
    hall = places.halls.get(_int(detail.get("facility_id")))
    try:
        day = clock.local_day(datetime.fromisoformat(str(detail.get("starts_at"))))
    except ValueError:
        return None
    if hall is None:
        return None
    return f"/book/{hall.code}?day={day.isoformat()}", N_("Book a place left")


def title(notification: Notification, lang: str) -> str:
    return gettext_for(lang, TITLES.get(kind_of(notification), N_("Message")))


def text(notification: Notification, lang: str, places: Places) -> str:
    kind = kind_of(notification)
    detail = notification.detail if isinstance(notification.detail, dict) else {}
    free = places.free(detail, lang)
    template = (free and WITH_FREE.get(kind)) or TEXTS.get(kind)
    if template is None:
        return gettext_for(lang, GENERIC)
    return gettext_for(lang, template) % values(notification, lang, places)


def values(notification: Notification, lang: str, places: Places) -> dict[str, object]:
    """What a kind's text is made of (place, when, until...), in the reader's language;
    SMS templates take them one by one."""
    kind = kind_of(notification)
    detail = notification.detail if isinstance(notification.detail, dict) else {}
    found = {
        "free": places.free(detail, lang),
        "place": places.name(detail, lang, booking_id=notification.booking_id),
        "class": places.class_name(detail, lang, booking_id=notification.booking_id),
        "room": places.room(detail, lang),
        "when": _moment(detail.get("starts_at"), lang, day_only=kind in DAY_KINDS),
        "from": _moment(detail.get("from"), lang),
        "until": _moment(detail.get("expires_at"), lang, time_only=True),
        "reason": _reason(notification.kind, detail, lang),
        "instructor": places.instructor(detail),
        "suspended_until": _moment(detail.get("until"), lang),
        "strikes": detail.get("strikes", ""),
        "days": detail.get("days", ""),
        "weight": detail.get("weight", ""),
        "hall": hall.name(lang)
        if (hall := places.halls.get(_int(detail.get("facility_id"))))
        else "",
    }
    if kind in PARTNER_KINDS:
        found |= _partner_values(notification, detail, lang, places)
    return found


def _partner_values(
    notification: Notification, detail: dict[str, object], lang: str, places: Places
) -> dict[str, object]:
    """Who invited whom, to what: from the booking where it is known (older messages
    hold nothing else), the partner's name masked as the booker sees it everywhere."""
    partner = places.members.get(_int(detail.get("partner_id")))
    card = str(detail.get("card", ""))
    values: dict[str, object] = {
        "booker": str(detail.get("from", "")),
        "partner": partners.masked(partner.name) if partner else card,
        "card": card,
    }
    booking = places.bookings.get(notification.booking_id or 0)
    if booking is not None:
        resource = booking.resource
        values["booker"] = booking.member.name
        values["place"] = f"{resource.facility.name(lang)} · {resource.name(lang)}"
        values["when"] = _moment(booking.starts_at.isoformat(), lang)
    return values


def _reason(kind: str, detail: dict[str, object], lang: str) -> str:
    reason = detail.get("reason")
    if kind == "waitlist_skipped":
        return skip_reason(reason, detail.get("params"), lang)
    return reason_text(reason, lang)


def skip_reason(code: object, params: object, lang: str) -> str:
    """Why a member was passed over in a line: the error that kept them out, as a page
    would say it, with the values stored beside it (instants in the reader's language)."""
    if str(code) not in catalog.ERRORS:
        return gettext_for(lang, OTHER_REASON)
    stored = params if isinstance(params, dict) else {}
    values = {name: _moment(value, lang) or value for name, value in stored.items()}
    return catalog.text(lang, str(code), **values)


def reason_text(reason: object, lang: str) -> str:
    """Why the palace cancelled something: a coded reason in the reader's language, else
    the staff's own words as they typed them."""
    coded = CODED_REASONS.get(str(reason or ""))
    return gettext_for(lang, coded) if coded else str(reason or "")


def _moment(raw: object, lang: str, *, time_only: bool = False, day_only: bool = False) -> str:
    if not isinstance(raw, str):
        return ""
    try:
        value = datetime.fromisoformat(raw).astimezone(clock.zone())
    except ValueError:
        return ""
    locale = BABEL_LOCALES[lang]
    day = format_skeleton("MMMEd", value, locale=locale)
    if day_only:
        return day
    hm = format_skeleton("Hm", value, locale=locale)
    return hm if time_only else f"{day} {hm}"
