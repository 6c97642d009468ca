"""The front desk's screen: scan or type a code or card number, the Now board, walk-ins."""

from collections.abc import Mapping

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from palace.i18n import N_
from palace.models import Role
from palace.services.core.errors import ServiceError
from palace.services.desk import checkin, now_board, walkins
from palace.services.desk.checkin import Result
from palace.web import flash
from palace.web.auth import page
from palace.web.errors import attempt, error_page
from palace.web.messages import message
from palace.web.params import optional_id, path_id
from palace.web.templating import is_htmx, render, request_language

DESK = (Role.DESK, Role.ADMIN)
CODE_MAX = 400
# The board's fragment asks again every 30 s while anything is on today; a check-in
# made here asks at once (the HX-Trigger below).
REFRESH = "checkedIn"
# htmx 2 stops polling on 286. htmx 4 gives it no meaning: there the fragment sent with
# it, which has no polling trigger, is what stops the asking. Either way it stops.
STOP_POLLING = 286
PLACE_UNKNOWN = N_(
    "That place is not on the timetable. Pick one of the places free now from the walk-in list."
)


def _hall(raw: object) -> int | None:
    """The hall the desk picked (an id), or None for all halls."""
    return optional_id(raw)


async def _board(hall: int | None) -> now_board.Board:
    return await now_board.board(facility_id=hall)


def _text(request: Request, result: Result | None, error: ServiceError | None) -> str | None:
    lang = request_language(request)
    if error is not None:
        return message(lang, error.code, **error.params)
    if result is None:
        return None
    return message(lang, result.code, **_params(result))


def _params(result: Result) -> dict[str, object]:
    # The result's own params win: "nothing_due" names the member whose card was typed.
    return {"name": result.people[0].name if result.people else "", **result.params}


def _status(result: Result | None, error: ServiceError | None) -> int:
    if error is not None:
        return 400
    return 200 if result is None or result.ok or result.code == "checkin_ready" else 409


@page(*DESK)
async def screen(request: Request) -> Response:
    """The desk screen; ``?code=`` shows what checking that code in would do."""
    hall = _hall(request.query_params.get("hall"))
    code = request.query_params.get("code", "")[:CODE_MAX]
    done = await attempt(checkin.preview(token=code, facility_id=hall)) if code.strip() else None
    result, error = _split(done)
    # Only looking: a warning about the code is what the page is for, not a failure.
    status = 400 if error else 200
    return await _page(request, hall, result, error, status)


async def _page(
    request: Request,
    hall: int | None,
    result: Result | None,
    error: ServiceError | None,
    status: int,
) -> Response:
    context = {
        "board": await _board(hall),
        "hall": hall,
        "result": result,
        "text": _text(request, result, error),
    }
    return render(request, "desk/scan.html", context, status_code=status)


def _answer(
    request: Request, hall: int | None, result: Result | None, error: ServiceError | None
) -> Response:
    context = {"result": result, "text": _text(request, result, error), "hall": hall}
    checked = result is not None and result.code in (checkin.CHECKED_IN, "walked_in")
    headers = {"HX-Trigger": REFRESH} if checked else {}
    status = _status(result, error)
    return render(request, "desk/_scan_result.html", context, status_code=status, headers=headers)


def _split(done: Result | ServiceError | None) -> tuple[Result | None, ServiceError | None]:
    return (None, done) if isinstance(done, ServiceError) else (done, None)


async def _respond(request: Request, hall: int | None, done: Result | ServiceError) -> Response:
    result, error = _split(done)
    if is_htmx(request):
        return _answer(request, hall, result, error)
    return await _page(request, hall, result, error, _status(result, error))


@page(*DESK)
async def scan(request: Request) -> Response:
    """What the field received: a scanner types the code and presses Enter."""
    form = await request.form()
    hall = _hall(form.get("hall"))
    typed = str(form.get("code", ""))[:CODE_MAX]
    done = await attempt(
        checkin.scan(actor_id=request.state.member.id, typed=typed, facility_id=hall)
    )
    return await _respond(request, hall, done)


@page(*DESK)
async def check_in(request: Request) -> Response:
    """One person on a booking (``member``), or everyone on it, from a button."""
    booking_id, form = path_id(request, "booking_id"), await request.form()
    hall, person = _hall(form.get("hall")), optional_id(form.get("member"))
    done = await attempt(checkin.person(actor_id=request.state.member.id, booking_id=booking_id,
                                        member_id=person, facility_id=hall))  # fmt: skip
    return await _respond(request, hall, done)


@page(*DESK)
async def board(request: Request) -> Response:
    """The Now board's fragment, which the desk screen asks for again and again."""
    shown = await _board(_hall(request.query_params.get("hall")))
    status = 200 if shown.live else STOP_POLLING
    return render(request, "desk/_board.html", {"board": shown}, status_code=status)


def _place(values: Mapping[str, object]) -> walkins.Place | None:
    return walkins.parse_place(str(values.get("place", ""))[:40])


@page(*DESK)
async def walk_in_form(request: Request) -> Response:
    """Book someone standing at the desk into a place the board offered; without a
    place, the places free now to choose from."""
    if "place" not in request.query_params:
        hall = _hall(request.query_params.get("hall"))
        card = request.query_params.get("card", "")[:40]
        context = {"board": await _board(hall), "hall": hall, "card": card}
        return render(request, "desk/walk_in_places.html", context)
    return await _walk_in_page(request, request.query_params, None)


async def _walk_in_page(
    request: Request, values: Mapping[str, object], error: ServiceError | None
) -> Response:
    place = _place(values)
    if place is None:
        return error_page(request, 404, PLACE_UNKNOWN)
    try:
        view = await walkins.describe(place)
    except ServiceError:
        return error_page(request, 404, PLACE_UNKNOWN)
    context = {
        "view": view,
        "place": str(values.get("place", ""))[:40],
        "hall": _hall(values.get("hall")),
        "values": {name: str(values.get(name, ""))[:80] for name in ("card", "guest")},
        "error": message(request_language(request), error.code, **error.params) if error else None,
    }
    return render(request, "desk/walk_in.html", context, status_code=400 if error else 200)


@page(*DESK)
async def walk_in(request: Request) -> Response:
    form = await request.form()
    place, hall = _place(form), _hall(form.get("hall"))
    if place is None:
        return error_page(request, 404, PLACE_UNKNOWN)
    done = await attempt(walkins.walk_in(
        actor_id=request.state.member.id, slot_id=place.slot_id, resource_id=place.resource_id,
        starts_at=place.starts_at, card=str(form.get("card", ""))[:40],
        guest_name=str(form.get("guest", ""))[:80],
    ))  # fmt: skip
    if isinstance(done, ServiceError):
        return await _walk_in_page(request, form, done)
    flash.code(request, done.code, "success", **_params(done))
    return RedirectResponse(f"/desk/scan{_query(hall)}", status_code=303)


def _query(hall: int | None) -> str:
    return f"?hall={hall}" if hall is not None else ""


routes = [
    Route("/desk/scan", screen, methods=["GET"]),
    Route("/desk/scan", scan, methods=["POST"]),
    Route("/desk/board", board, methods=["GET"]),
    Route("/desk/bookings/{booking_id}/checkin", check_in, methods=["POST"]),
    Route("/desk/walk-in", walk_in_form, methods=["GET"]),
    Route("/desk/walk-in", walk_in, methods=["POST"]),
]
