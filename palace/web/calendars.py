"""Bookings in calendar apps: download one booking, or subscribe to a private address."""

from typing import Any

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from palace.i18n import N_
from palace.models import CalendarFeed
from palace.services.booking import calendars
from palace.services.core.errors import ServiceError
from palace.web import flash
from palace.web.auth import page, public
from palace.web.params import path_id
from palace.web.templating import is_htmx, render, request_language

ICS = "text/calendar"
FEED_ROUTE = "calendar_feed"
PARTIAL = "bookings/_calendar_feed.html"
CREATED = N_("Your calendar address is ready. Add it to your calendar app.")
RESET = N_("You have a new calendar address. The old one no longer works.")
REVOKED = N_("Your calendar address is turned off.")


def feed_url(request: Request, feed: CalendarFeed | None) -> str | None:
    """The absolute address calendar apps fetch (behind a proxy: run with --proxy-headers)."""
    return str(request.url_for(FEED_ROUTE, token=feed.token)) if feed else None


async def feed_context(request: Request) -> dict[str, Any]:
    """What templates/bookings/_calendar_feed.html needs, for the My bookings page."""
    feed = await calendars.feed_for(member_id=request.state.member.id)
    return {"feed": feed, "feed_url": feed_url(request, feed)}


@page()
async def booking_file(request: Request) -> Response:
    booking_id = path_id(request, "booking_id")
    # Someone else's booking looks exactly like one that does not exist: a 404.
    text = await calendars.booking_ics(member_id=request.state.member.id, booking_id=booking_id,
                                       lang=request_language(request))  # fmt: skip
    disposition = f'attachment; filename="booking-{booking_id}.ics"'
    return Response(text, media_type=ICS, headers={"Content-Disposition": disposition})


def _changed(request: Request, feed: CalendarFeed | None, notice: str) -> Response:
    if is_htmx(request):
        context = {"feed": feed, "feed_url": feed_url(request, feed), "notice": notice}
        return render(request, PARTIAL, context)
    flash.add(request, notice)
    return RedirectResponse("/bookings", status_code=303)


@page()
async def create_feed(request: Request) -> Response:
    feed, replaced = await calendars.renew_feed(member_id=request.state.member.id)
    # After a reset the old address is dead: say so.
    return _changed(request, feed, RESET if replaced else CREATED)


@page()
async def revoke_feed(request: Request) -> Response:
    await calendars.revoke_feed(member_id=request.state.member.id)
    return _changed(request, None, REVOKED)


@public
async def feed(request: Request) -> Response:
    """For calendar apps, which have no session: the secret in the address is the key."""
    try:
        text = await calendars.feed_ics(token=str(request.path_params["token"]))
    except ServiceError:
        # Unknown and turned off look the same, and say nothing about anyone.
        return PlainTextResponse("Not Found", status_code=404)
    headers = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}
    return Response(text, media_type=ICS, headers=headers)


routes = [
    Route("/bookings/{booking_id}/booking.ics", booking_file, methods=["GET"]),
    Route("/calendar/feed", create_feed, methods=["POST"]),
    Route("/calendar/feed/revoke", revoke_feed, methods=["POST"]),
    Route("/calendar/{token}.ics", feed, methods=["GET"], name=FEED_ROUTE),
]
