"""Member booking pages: halls, a day's timetable, one-tap booking, My bookings."""

from datetime import UTC, datetime

import segno
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from palace.i18n import N_
from palace.models import BookingStatus, InvitationStatus
from palace.services.booking import booking_views, bookings, partners, releases, tickets, timetable
from palace.services.core import clock
from palace.services.core.errors import ServiceError
from palace.services.facilities import rules
from palace.services.fairness import ballot_views, queue_views
from palace.web import flash, queues
from palace.web.auth import page
from palace.web.calendars import feed_url
from palace.web.errors import attempt, back_to, refusal, status_for, text_for
from palace.web.messages import message
from palace.web.params import MAX_ID, path_id, query_day
from palace.web.templating import is_htmx, render, request_language

START_RANGE = 400 * 24 * 3600
# Refusals while the day's opening queue gathers or is served: the answer links to it.
QUEUE_CODES = frozenset({"queue_gathering", "queue_serving"})
SAVED_PARTNERS = N_(
    "Saved. The holder of each card is invited, and counts as a partner only once they accept."
)


def _member_id(request: Request) -> int:
    return int(request.state.member.id)


def _start_param(raw: str) -> datetime | None:
    """A slot start as epoch seconds; anything far from now cannot be a slot."""
    if not raw.isascii() or not raw.isdigit() or len(raw) > 12:
        return None
    seconds = int(raw)
    now = clock.now().timestamp()
    if not now - START_RANGE <= seconds <= now + START_RANGE:
        return None
    return datetime.fromtimestamp(seconds, UTC)


def _id_param(raw: str) -> int | None:
    return int(raw) if raw.isascii() and raw.isdigit() and int(raw) <= MAX_ID else None


@page()
async def halls(request: Request) -> Response:
    summaries = await timetable.facilities(member_id=_member_id(request))
    return render(request, "bookings/halls.html", {"halls": summaries})


@page()
async def day_page(request: Request) -> Response:
    code = request.path_params["code"]
    back_to(request, f"/book/{code}")
    shown = await timetable.day(member_id=_member_id(request), code=code, day=query_day(request))
    lang = request_language(request)
    blocked = shown.blocked and message(lang, shown.blocked.code, **shown.blocked.params)
    context = {"timetable": shown, "today": clock.today(), "blocked": blocked}
    return render(request, "bookings/timetable.html", context)


@page()
async def book(request: Request) -> Response:
    code, form = request.path_params["code"], await request.form()
    resource_id = _id_param(str(form.get("resource", "")))
    starts_at = _start_param(str(form.get("start", "")))
    if resource_id is None or starts_at is None:
        return _book_refused(request, code, starts_at, ServiceError("unknown_slot"))
    if is_htmx(request):
        return await _tap(request, code, resource_id, starts_at)
    booking = bookings.book(
        member_id=_member_id(request), resource_id=resource_id, starts_at=starts_at
    )
    return _after_book(request, code, starts_at, await refusal(booking))


async def _tap(request: Request, code: str, resource_id: int, starts_at: datetime) -> Response:
    """One tap on the timetable: the cell drawn again as it is now, with what happened."""
    member_id = _member_id(request)
    tapped = await timetable.tap(member_id=member_id, resource_id=resource_id, starts_at=starts_at)
    error = tapped.error
    if tapped.cell is None:
        return _book_refused(request, code, starts_at, error)
    text = text_for(request, error) if error else None
    context = {"cell": tapped.cell, "code": code, "quota": tapped.quota, "error": text}
    if error and error.code in QUEUE_CODES:  # the day opens with a queue: lead to it
        context["queue_link"] = queues.queue_url(code, clock.local_day(starts_at))
        context["queue_joining"] = error.code == "queue_gathering"
    status = status_for(error) if error else 200
    return render(request, "bookings/_booked.html", context, status_code=status)


def _book_refused(
    request: Request, code: str, starts_at: datetime | None, error: ServiceError | None
) -> Response:
    """No such slot on the timetable: nothing to redraw."""
    if not is_htmx(request):
        return _after_book(request, code, starts_at, error)
    text = text_for(request, error) if error else None
    return render(request, "bookings/_message.html", {"error": text}, status_code=400,
                  headers={"HX-Reswap": "none"})  # fmt: skip


def _after_book(
    request: Request, code: str, starts_at: datetime | None, error: ServiceError | None
) -> Response:
    """Without JavaScript: back to the day's timetable with a message."""
    if error:
        flash.code(request, error.code, **error.params)
    else:
        flash.add(request, N_("Booked. It is in My bookings."))
    shown = clock.local_day(starts_at) if starts_at else None
    day = f"?day={shown.isoformat()}" if shown and shown >= clock.today() else ""
    return RedirectResponse(f"/book/{code}{day}", status_code=303)


MAX_HISTORY_PAGE = 10_000


def _history_page(request: Request) -> int:
    """``?history=``: which page of the history to show (the first when not asked)."""
    raw = request.query_params.get("history")
    if raw is None:
        return 1
    if (
        not raw.isascii()
        or not raw.isdigit()
        or len(raw) > 5
        or not 1 <= int(raw) <= MAX_HISTORY_PAGE
    ):
        raise ServiceError("history_page_invalid")
    return int(raw)


@page()
async def mine(request: Request) -> Response:
    back_to(request, "/bookings")
    shown, member_id = _history_page(request), _member_id(request)
    if "history" in request.query_params and is_htmx(request):
        # "Show more": the next page of the history, in place of the link.
        older = await booking_views.history_page(member_id=member_id, page=shown)
        return render(request, "bookings/_history.html", {"my_bookings": older})
    found = await booking_views.member_bookings(member_id=member_id, history_page=shown)
    context = {"my_bookings": found, "lines": found.lines, "feed": found.feed}
    context["ballot_entries"] = await ballot_views.entry_lines(member_id=member_id)
    context["queue_entries"] = await queue_views.entries_of(member_id=member_id)
    return render(
        request, "bookings/mine.html", {**context, "feed_url": feed_url(request, found.feed)}
    )


async def _view(request: Request) -> booking_views.BookingView:
    return await booking_views.booking_view(
        member_id=_member_id(request), booking_id=path_id(request, "booking_id")
    )


@page()
async def detail(request: Request) -> Response:
    view = await _view(request)
    return _detail(request, view)


def _detail(
    request: Request,
    view: booking_views.BookingView,
    *,
    error: str | None = None,
    cards: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "view": view,
        "qr_svg": _qr_svg(tickets.token_for(view.booking.id)),
        "error": error,
        "cards": cards if cards is not None else _named_cards(view),
        "max_partners": rules.MAX_PARTNERS,
    }
    return render(request, "bookings/detail.html", context, status_code=status_code)


def _named_cards(view: booking_views.BookingView) -> list[str]:
    """The partners' cards the form shows: accepted, and invitations still open."""
    waiting = [i.card_no for i in view.invitations if i.status == InvitationStatus.PENDING]
    return [p.card_no for p in view.partners] + waiting


def _qr_svg(token: str) -> Markup:
    # segno writes the whole SVG itself from the token; nothing member-typed goes in raw.
    svg = segno.make(token, error="m").svg_inline(scale=6, border=2, title=None)
    return Markup(svg)  # noqa: S704


@page()
async def cancel(request: Request) -> Response:
    booking_id = path_id(request, "booking_id")
    back_to(request, f"/bookings/{booking_id}")
    done = await releases.cancel(member_id=_member_id(request), booking_id=booking_id)
    late = done.status == BookingStatus.LATE_CANCELLED
    flash.add(request, N_("Cancelled. This was after the cut-off, so it counts as a late cancel.")
              if late else N_("Cancelled. The place is free for others again."))  # fmt: skip
    return RedirectResponse("/bookings", status_code=303)


@page()
async def set_partners(request: Request) -> Response:
    booking_id, form = path_id(request, "booking_id"), await request.form()
    cards = [str(v)[:40] for v in form.getlist("card")][: rules.MAX_PARTNERS + 3]
    done = await attempt(partners.set_partners(member_id=_member_id(request),
                                               booking_id=booking_id, card_nos=cards))  # fmt: skip
    if isinstance(done, ServiceError):
        text = text_for(request, done)
        return _detail(request, await _view(request), error=text, cards=cards, status_code=400)
    # The same answer whoever the cards belong to, and whether they belong to anyone.
    flash.add(request, SAVED_PARTNERS)
    return RedirectResponse(f"/bookings/{booking_id}", status_code=303)


routes = [
    Route("/book", halls, methods=["GET"]),
    Route("/book/{code:code}", day_page, methods=["GET"]),
    Route("/book/{code:code}", book, methods=["POST"]),
    Route("/bookings", mine, methods=["GET"]),
    Route("/bookings/{booking_id}", detail, methods=["GET"]),
    Route("/bookings/{booking_id}/cancel", cancel, methods=["POST"]),
    Route("/bookings/{booking_id}/partners", set_partners, methods=["POST"]),
]
