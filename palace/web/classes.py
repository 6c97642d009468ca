"""Member class pages: the week's timetable, one-tap booking of a place."""

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
from palace.web.errors import back_to, refusal, status_for, text_for
from palace.web.messages import message
from palace.web.params import given_id, parse_id, path_id, query_day
from palace.web.templating import is_htmx, render, request_language


def _member_id(request: Request) -> int:
    return int(request.state.member.id)


@page()
async def week_page(request: Request) -> Response:
    back_to(request, "/classes")
    shown = await classes.week(member_id=_member_id(request), day=query_day(request, "week"))
    lang = request_language(request)
    blocked = shown.blocked and message(lang, shown.blocked.code, **shown.blocked.params)
    context = {"w": shown, "today": clock.today(), "blocked": blocked}
    return render(request, "classes/week.html", context)


@page()
async def book(request: Request) -> Response:
    session_id, form = path_id(request, "session_id"), await request.form()
    back_to(request, "/classes")
    child_id = given_id(form.get("child"), "unknown_child")
    booking = classes.book(member_id=_member_id(request), session_id=session_id, child_id=child_id)
    if is_htmx(request):
        return await _card(request, session_id, child_id, await refusal(booking))
    await booking
    flash.add(request, N_("Booked. It is in My bookings."))
    return RedirectResponse("/classes", status_code=303)


async def _card(
    request: Request, session_id: int, child_id: int | None, error: ServiceError | None
) -> Response:
    """The session's card drawn again after a tap, as it is now, with what happened."""
    member_id = _member_id(request)
    card = await classes.card(member_id=member_id, session_id=session_id)
    text = text_for(request, error) if error else None
    children = await classes.children_of(member_id)
    blocked = text if classes.blocks_every_tap(error, child_id=child_id) else None
    context = {"c": card, "error": text, "children": children, "blocked": blocked}
    status = status_for(error) if error else 200
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
    done = await refusal(class_demand.want(
        member_id=_member_id(request),
        class_type_id=parse_id(str(form.get("class_type_id", ""))[:12]),
        days=[str(d)[:2] for d in form.getlist("days")][:7],
        day_part=str(form.get("day_part", ""))[:12],
    ))  # fmt: skip
    if done is not None:
        return await _want_page(request, error=text_for(request, done))
    flash.add(request, N_("Thank you. The planners see what members ask for."))
    return RedirectResponse("/classes/want", status_code=303)


@page()
async def withdraw(request: Request) -> Response:
    await class_demand.withdraw(
        member_id=_member_id(request), demand_id=path_id(request, "demand_id")
    )
    return RedirectResponse("/classes/want", status_code=303)


routes = [
    Route("/classes", week_page, methods=["GET"]),
    Route("/classes/sessions/{session_id}/book", book, methods=["POST"]),
    Route("/classes/want", want_page, methods=["GET"]),
    Route("/classes/want", want, methods=["POST"]),
    Route("/classes/want/{demand_id}/delete", withdraw, methods=["POST"]),
]
