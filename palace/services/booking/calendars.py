"""Bookings as iCalendar (RFC 5545): one booking to download, or a private feed to subscribe to.

The files are written with the ``icalendar`` package (line folding, TEXT escaping, UTC
times). A confirmed booking carries an alarm at the same time as Palace's own reminder.
A feed is a secret address; whoever knows it sees the member's bookings, so
making a new one replaces the old at once and turning it off deletes it.
"""

import re
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from icalendar import Alarm, Calendar, Event

from palace.i18n import N_, gettext_for
from palace.models import BookingStatus, CalendarFeed, Member, MemberStatus
from palace.services.booking import booking_views, partners
from palace.services.booking.booking_views import BookingView
from palace.services.core import after_commit, audit, clock, text
from palace.services.core.errors import NotFound, ServiceError
from palace.settings import LANGUAGES, get_settings

PRODID = "-//Workers' Cultural Palace//Palace bookings//EN"
FEED_PAST_DAYS = 30
# Calendar apps that honour these poll hourly instead of once a day.
REFRESH = timedelta(hours=1)
# What secrets.token_urlsafe makes, no longer than the column: anything else is not ours.
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{1,64}")

PALACE = N_("Workers' Cultural Palace")
CALENDAR_NAME = N_("Workers' Cultural Palace: my bookings")
BOOKED_BY = N_("Booked by %(name)s")
PARTNERS = N_("Partners: %(names)s")


def _document(events: Iterable[Event], name: str | None = None) -> str:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    if name is not None:
        calendar.add("x-wr-calname", name)
        calendar.add("name", name)
        calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", REFRESH)
    for event in events:
        calendar.add_component(event)
    return str(calendar.to_ical().decode("utf-8"))


def _description(view: BookingView, lang: str) -> str:
    notes = []
    if not view.mine:
        notes.append(gettext_for(lang, BOOKED_BY) % {"name": view.owner.name})
    if view.partners:
        names = ", ".join(partners.masked(p.name) for p in view.partners)
        notes.append(gettext_for(lang, PARTNERS) % {"names": names})
    return "\n".join(text.printable(note) for note in notes)


def _event(view: BookingView, lang: str, stamp: datetime) -> Event:
    booking = view.booking
    confirmed = booking.status == BookingStatus.CONFIRMED
    summary = view.title(lang)
    event = Event()
    event.add("uid", f"booking-{booking.id}@palace")
    event.add("dtstamp", clock.utc(stamp))
    event.add("dtstart", clock.utc(booking.starts_at))
    event.add("dtend", clock.utc(booking.ends_at))
    event.add("created", clock.utc(booking.created_at))
    event.add("last-modified", clock.utc(booking.cancelled_at or booking.created_at))
    # A cancellation is the event's one later version.
    event.add("sequence", 0 if confirmed else 1)
    event.add("status", "CONFIRMED" if confirmed else "CANCELLED")
    event.add("summary", text.line(summary))
    event.add("location", gettext_for(lang, PALACE))
    if description := _description(view, lang):
        event.add("description", description)
    if confirmed:
        event.add_component(_alarm(summary))
    return event


def _alarm(summary: str) -> Alarm:
    """The calendar app reminds the member when Palace's own reminder goes out."""
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", text.line(summary))
    alarm.add("trigger", -timedelta(minutes=get_settings().reminder_minutes))
    return alarm


def _language(lang: str | None) -> str:
    return lang if lang in LANGUAGES else get_settings().default_language


async def booking_ics(*, member_id: int, booking_id: int, lang: str) -> str:
    """One booking the member made or is named on; anyone else's is unknown."""
    view = await booking_views.booking_view(member_id=member_id, booking_id=booking_id)
    return _document([_event(view, _language(lang), clock.now())])


async def feed_ics(*, token: str, lang: str | None = None) -> str:
    """The feed behind a secret address, in the member's saved language unless told.

    Cancelled bookings stay in with STATUS:CANCELLED, so subscribed calendars drop them.
    """
    if not TOKEN_SHAPE.fullmatch(token):
        raise NotFound("unknown_feed")
    feed = await CalendarFeed.get_or_none(token=token).select_related("member")
    # A disabled account shows nothing anywhere, its calendar included.
    if feed is None or feed.member.status == MemberStatus.DISABLED:
        raise NotFound("unknown_feed")
    lang = _language(lang or feed.member.language)
    since = clock.now() - timedelta(days=FEED_PAST_DAYS)
    views = await booking_views.views_since(member_id=feed.member.id, since=since)
    stamp = clock.now()
    events = (_event(v, lang, stamp) for v in views)
    return _document(events, name=gettext_for(lang, CALENDAR_NAME))


async def feed_for(*, member_id: int) -> CalendarFeed | None:
    return await CalendarFeed.get_or_none(member_id=member_id)


async def _lock_member(member_id: int) -> None:
    """Serialises one member's feed changes: two clicks must not both make the one row."""
    if await Member.filter(id=member_id).select_for_update().first() is None:
        raise ServiceError("unknown_member")


async def create_or_reset_feed(*, member_id: int) -> CalendarFeed:
    """A new secret address; any old one stops working in the same transaction."""
    feed, _replaced = await renew_feed(member_id=member_id)
    return feed


async def renew_feed(*, member_id: int) -> tuple[CalendarFeed, bool]:
    """A new secret address, and whether it replaced one (which stops working)."""
    token = secrets.token_urlsafe(32)
    async with after_commit.transaction():
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
    return await CalendarFeed.get(id=feed.id), action == "reset"


async def revoke_feed(*, member_id: int) -> None:
    """Turn the address off; turning off what is already off changes nothing."""
    async with after_commit.transaction():
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
