"""Member class pages: the week's timetable, one-tap booking of a place."""

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from palace.i18n import N_
from palace.models import DayPart
from palace.services.classes import class_demand, classes
from palace.services.core import clock
from palace.services.core.errors import ServiceError
from palace.web import flash
from palace.web.auth import page
from palace.web.bookings import CONFLICT
from palace.web.messages import message
from palace.web.params import parse_id, path_id
from palace.web.templating import is_htmx, render, request_language

# Refusals about the session itself: 409, and the card shows what it is now.
SESSION_CONFLICT = CONFLICT | {"session_cancelled"}


def _member_id(request: Request) -> int:
    return int(request.state.member.id)


@page()
async def week_page(request: Request) -> Response:
    raw = request.query_params.get("week", "")[:40]
    day = clock.parse_day(raw) if raw else None
    try:
        if raw and day is None:
            raise ServiceError("day_invalid")
        shown = await classes.week(member_id=_member_id(request), day=day)
    except ServiceError as error:
        flash.code(request, error.code, **error.params)
        return RedirectResponse("/classes", status_code=303)
    lang = request_language(request)
    blocked = shown.blocked and message(lang, shown.blocked.code, **shown.blocked.params)
    context = {"w": shown, "today": clock.today(), "blocked": blocked}
    return render(request, "classes/week.html", context)


@page()
async def book(request: Request) -> Response:
    session_id = path_id(request, "session_id")
    form = await request.form()
    raw_child = str(form.get("child", ""))[:20]
    child_id = parse_id(raw_child) if raw_child else None
    member_id = _member_id(request)
    error: ServiceError | None = None
    try:
        if raw_child and child_id is None:
            raise ServiceError("unknown_child")
        await classes.book(member_id=member_id, session_id=session_id, child_id=child_id)
    except ServiceError as exc:
        error = exc
    lang = request_language(request)
    text = message(lang, error.code, **error.params) if error else None
    if not is_htmx(request):
        if error:
            flash.code(request, error.code, **error.params)
        else:
            flash.add(request, N_("Booked. It is in My bookings."))
        return RedirectResponse("/classes", status_code=303)
    try:
        card = await classes.card(member_id=member_id, session_id=session_id)
    except ServiceError:
        headers = {"HX-Reswap": "none"}
        return render(request, "bookings/_message.html", {"error": text}, status_code=404,
                      headers=headers)  # fmt: skip
    status = 200 if error is None else 409 if error.code in SESSION_CONFLICT else 400
    children = await classes.children_of(member_id)
    blocked = text if classes.blocks_every_tap(error, child_id=child_id) else None
    context = {"c": card, "error": text, "children": children, "blocked": blocked}
    return render(request, "classes/_booked.html", context, status_code=status)


async def _want_page(request: Request, *, error: str | None = None) -> Response:
    shown = await class_demand.form(member_id=_member_id(request))
    context = {"f": shown, "error": error, "day_parts": [p.value for p in DayPart]}
    return render(request, "classes/want.html", context, status_code=400 if error else 200)


@page()
async def want_page(request: Request) -> Response:
    return await _want_page(request)


@page()
async def want(request: Request) -> Response:
    form = await request.form()
    try:
        await class_demand.want(
            member_id=_member_id(request),
            class_type_id=parse_id(str(form.get("class_type_id", ""))[:12]),
            days=[str(d)[:2] for d in form.getlist("days")][:7],
            day_part=str(form.get("day_part", ""))[:12],
        )
    except ServiceError as error:
        return await _want_page(request, error=message(request_language(request), error.code))
    flash.add(request, N_("Thank you. The planners see what members ask for."))
    return RedirectResponse("/classes/want", status_code=303)


@page()
async def withdraw(request: Request) -> Response:
    try:
        await class_demand.withdraw(
            member_id=_member_id(request), demand_id=path_id(request, "demand_id")
        )
    except ServiceError:
        raise HTTPException(404) from None
    return RedirectResponse("/classes/want", status_code=303)


routes = [
    Route("/classes", week_page, methods=["GET"]),
    Route("/classes/sessions/{session_id}/book", book, methods=["POST"]),
    Route("/classes/want", want_page, methods=["GET"]),
    Route("/classes/want", want, methods=["POST"]),
    Route("/classes/want/{demand_id}/delete", withdraw, methods=["POST"]),
]
