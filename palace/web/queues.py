"""Opening-queue pages: a hall's day's queue for a member (join with up to three ranked
choices, change them, leave, and a status that asks for itself again until the outcome),
and the public page and file of a queue (the verify page checks it like a ballot's)."""

from collections.abc import Awaitable
from datetime import date
from typing import TypeVar

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from palace.i18n import N_
from palace.services.booking import timetable
from palace.services.core import clock
from palace.services.core.errors import ServiceError
from palace.services.fairness import ballot_publish, opening_queue, queue_views
from palace.services.fairness.opening_queue import QueueNotFound
from palace.services.fairness.queue_views import QueuePage
from palace.web import flash
from palace.web.auth import page, public
from palace.web.errors import back_to
from palace.web.params import path_id
from palace.web.templating import render

SAVED = N_("You are in the queue. You can change your choices or leave until the order is drawn.")
LEFT = N_("You have left the queue.")
FIELD_MAX = 60
T = TypeVar("T")
# htmx 2 stops polling on 286; htmx 4 stops because the fragment sent then has no
# polling trigger (as the desk board does).
STOP_POLLING = 286


def _day(request: Request) -> date:
    """The day in the address; a forged one is ``day_invalid``, said on an error page."""
    day = clock.parse_day(str(request.path_params.get("day", ""))[:40])
    if day is None:
        raise ServiceError("day_invalid")
    return day


def queue_url(code: str, day: date) -> str:
    return f"/halls/{code}/queue/{day.isoformat()}"


async def _said(work: Awaitable[T]) -> T:
    """A queue that is not there (the hall has none, the member already left it) is a
    refusal to say where the request goes back to, not a missing page (an unknown hall
    is one)."""
    try:
        return await work
    except QueueNotFound as missing:
        raise ServiceError(missing.code, **missing.params) from None


async def _shown(request: Request, day: date | None) -> QueuePage:
    code, member_id = request.path_params["code"], request.state.member.id
    back_to(request, f"/book/{code}")
    return await _said(queue_views.hall_page(code=code, day=day, member_id=member_id))


def _page(request: Request, shown: QueuePage) -> Response:
    context = {"queue_page": shown, "code": shown.facility.code}
    return render(request, "queues/queue.html", context)


@page()
async def next_queue(request: Request) -> Response:
    """The queue of the hall's next day to open."""
    return _page(request, await _shown(request, None))


@page()
async def day_queue(request: Request) -> Response:
    return _page(request, await _shown(request, _day(request)))


@page()
async def status(request: Request) -> Response:
    """The member's status, asked for again every few seconds while it may change."""
    shown = await _shown(request, _day(request))
    context = {"queue_page": shown, "code": shown.facility.code, "fragment": True}
    return render(request, "queues/_status.html", context,
                  status_code=200 if shown.live else STOP_POLLING)  # fmt: skip


@page()
async def join(request: Request) -> Response:
    """Join the day's queue, or change the member's choices in it: one form for both."""
    code, day, member_id = request.path_params["code"], _day(request), request.state.member.id
    back_to(request, queue_url(code, day))
    form = await request.form()
    choices = [str(form.get(f"choice{n}", ""))[:FIELD_MAX] for n in range(1, 4)]
    hall = await timetable.bookable_facility(code)
    await opening_queue.join(facility_id=hall.id, day=day, member_id=member_id,
                             choices=choices, actor_id=member_id)  # fmt: skip
    flash.add(request, SAVED)
    return RedirectResponse(queue_url(code, day), status_code=303)


@page()
async def leave(request: Request) -> Response:
    code, day, member_id = request.path_params["code"], _day(request), request.state.member.id
    back_to(request, queue_url(code, day))
    hall = await timetable.bookable_facility(code)
    await _said(opening_queue.leave(facility_id=hall.id, day=day, member_id=member_id,
                                    actor_id=member_id))  # fmt: skip
    flash.add(request, LEFT)
    return RedirectResponse(queue_url(code, day), status_code=303)


@public
async def draw_page(request: Request) -> Response:
    shown = await queue_views.draw_page(queue_id=path_id(request, "queue_id"))
    return render(request, "queues/draw.html", {"draw": shown})


@public
async def draw_file(request: Request) -> Response:
    queue_id = path_id(request, "queue_id")
    doc = await queue_views.published(queue_id=queue_id)
    name = f"queue-{queue_id}-{doc['queue']['state']}.json"
    return Response(ballot_publish.as_file(doc), media_type="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})  # fmt: skip


routes = [
    Route("/halls/{code:code}/queue", next_queue, methods=["GET"]),
    Route("/halls/{code:code}/queue/{day}", day_queue, methods=["GET"]),
    Route("/halls/{code:code}/queue/{day}", join, methods=["POST"]),
    Route("/halls/{code:code}/queue/{day}/status", status, methods=["GET"]),
    Route("/halls/{code:code}/queue/{day}/leave", leave, methods=["POST"]),
    Route("/queues/{queue_id}/draw", draw_page, methods=["GET"]),
    Route("/queues/{queue_id}/draw.json", draw_file, methods=["GET"]),
]
