"""Bookings as iCalendar (RFC 5545): one booking to download, or a private feed to subscribe to.

The text is written here by hand: it is a small format, and the rules that
matter (CRLF, folding at 75 octets without splitting a character, TEXT
escaping, UTC times) are easier to check in one place than through a library.
A feed is a secret address; whoever knows it sees the member's bookings, so
making a new one replaces the old at once and turning it off deletes it.
"""

import re
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from tortoise.transactions import in_transaction

from palace.i18n import N_, gettext_for
from palace.models import BookingStatus, CalendarFeed, Member, MemberStatus
from palace.services import audit, bookings, clock
from palace.services.bookings import BookingView
from palace.services.errors import ServiceError
from palace.settings import LANGUAGES, get_settings

PRODID = "-//Workers' Cultural Palace//Palace bookings//EN"
FEED_PAST_DAYS = 30
# Calendar apps that honour these poll hourly instead of once a day.
REFRESH = "PT1H"
LINE_OCTETS = 75
# Control characters are not allowed in TEXT values (RFC 5545 3.3.11), tabs excepted.
CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
# What secrets.token_urlsafe makes, no longer than the column: anything else is not ours.
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{1,64}")

PALACE = N_("Workers' Cultural Palace")
CALENDAR_NAME = N_("Workers' Cultural Palace: my bookings")
BOOKED_BY = N_("Booked by %(name)s")
PARTNERS = N_("Partners: %(names)s")


def escape_text(value: str) -> str:
    """A TEXT value: backslash, semicolon, comma and line breaks escaped."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    value = value.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")
    return CONTROL.sub("", value)


def fold(line: str) -> str:
    """Fold a content line into pieces of at most 75 octets, never inside a character.

    Continuation lines start with one space, which counts towards their 75.
    """
    pieces: list[str] = []
    current: list[str] = []
    size, limit = 0, LINE_OCTETS
    for char in line:
        octets = len(char.encode("utf-8"))
        if size + octets > limit:
            pieces.append("".join(current))
            current, size, limit = [], 0, LINE_OCTETS - 1
        current.append(char)
        size += octets
    pieces.append("".join(current))
    return "\r\n ".join(pieces)


def utc_stamp(value: datetime) -> str:
    return clock.utc(value).strftime("%Y%m%dT%H%M%SZ")


def _document(header: list[str], events: Iterable[list[str]]) -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{escape_text(PRODID)}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        *header,
    ]
    for event in events:
        lines.extend(event)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)


def _description(view: BookingView, lang: str) -> str:
    notes = []
    if not view.mine:
        notes.append(gettext_for(lang, BOOKED_BY) % {"name": view.owner.name})
    if view.partners:
        names = ", ".join(p.name for p in view.partners)
        notes.append(gettext_for(lang, PARTNERS) % {"names": names})
    return "\n".join(notes)


def _event(view: BookingView, lang: str, stamp: datetime) -> list[str]:
    booking = view.booking
    confirmed = booking.status == BookingStatus.CONFIRMED
    summary = f"{view.facility.name(lang)} · {view.resource.name(lang)}"
    lines = [
        "BEGIN:VEVENT",
        f"UID:booking-{booking.id}@palace",
        f"DTSTAMP:{utc_stamp(stamp)}",
        f"DTSTART:{utc_stamp(booking.starts_at)}",
        f"DTEND:{utc_stamp(booking.ends_at)}",
        f"CREATED:{utc_stamp(booking.created_at)}",
        f"LAST-MODIFIED:{utc_stamp(booking.cancelled_at or booking.created_at)}",
        # A cancellation is the event's one later version.
        f"SEQUENCE:{0 if confirmed else 1}",
        f"STATUS:{'CONFIRMED' if confirmed else 'CANCELLED'}",
        f"SUMMARY:{escape_text(summary)}",
        f"LOCATION:{escape_text(gettext_for(lang, PALACE))}",
    ]
    if description := _description(view, lang):
        lines.append(f"DESCRIPTION:{escape_text(description)}")
    lines.append("END:VEVENT")
    return lines


def _language(lang: str | None) -> str:
    return lang if lang in LANGUAGES else get_settings().default_language


async def booking_ics(*, member_id: int, booking_id: int, lang: str) -> str:
    """One booking the member made or is named on; anyone else's is unknown."""
    view = await bookings.booking_view(member_id=member_id, booking_id=booking_id)
    lang = _language(lang)
    return _document([], [_event(view, lang, clock.now())])


async def feed_ics(*, token: str, lang: str | None = None) -> str:
    """The feed behind a secret address, in the member's saved language unless told.

    Cancelled bookings stay in with STATUS:CANCELLED, so subscribed calendars drop them.
    """
    if not TOKEN_SHAPE.fullmatch(token):
        raise ServiceError("unknown_feed")
    feed = await CalendarFeed.get_or_none(token=token).select_related("member")
    # A disabled account shows nothing anywhere, its calendar included.
    if feed is None or feed.member.status == MemberStatus.DISABLED:
        raise ServiceError("unknown_feed")
    lang = _language(lang or feed.member.language)
    since = clock.now() - timedelta(days=FEED_PAST_DAYS)
    views = await bookings.views_since(member_id=feed.member.id, since=since)
    name = gettext_for(lang, CALENDAR_NAME)
    header = [
        f"X-WR-CALNAME:{escape_text(name)}",
        f"NAME:{escape_text(name)}",
        f"REFRESH-INTERVAL;VALUE=DURATION:{REFRESH}",
        f"X-PUBLISHED-TTL:{REFRESH}",
    ]
    stamp = clock.now()
    return _document(header, (_event(v, lang, stamp) for v in views))


async def feed_for(*, member_id: int) -> CalendarFeed | None:
    return await CalendarFeed.get_or_none(member_id=member_id)


async def _lock_member(member_id: int) -> None:
    """Serialises one member's feed changes: two clicks must not both make the one row."""
    if await Member.filter(id=member_id).select_for_update().first() is None:
        raise ServiceError("unknown_member")


async def create_or_reset_feed(*, member_id: int) -> CalendarFeed:
    """A new secret address; any old one stops working in the same transaction."""
    token = secrets.token_urlsafe(32)
    async with in_transaction():
        await _lock_member(member_id)
        feed = await CalendarFeed.get_or_none(member_id=member_id)
        if feed is None:
            feed = await CalendarFeed.create(member_id=member_id, token=token)
            action = "create"
        else:
            await CalendarFeed.filter(id=feed.id).update(token=token, created_at=clock.now())
            action = "reset"
        # The token itself is a secret: it never goes into the audit trail.
        await audit.record(
            actor_id=member_id,
            entity="calendar_feed",
            entity_id=feed.id,
            action=action,
            detail={"member_id": member_id},
        )
    return await CalendarFeed.get(id=feed.id)


async def revoke_feed(*, member_id: int) -> None:
    """Turn the address off; turning off what is already off changes nothing."""
    async with in_transaction():
        await _lock_member(member_id)
        feed = await CalendarFeed.get_or_none(member_id=member_id)
        if feed is None:
            return
        feed_id = feed.id
        await feed.delete()
        await audit.record(
            actor_id=member_id,
            entity="calendar_feed",
            entity_id=feed_id,
            action="revoke",
            detail={"member_id": member_id},
        )
