"""Member waitlist pages: a full slot's line (join, leave), and answering an offer."""

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from palace.i18n import N_
from palace.services.core.errors import ServiceError
from palace.services.waitlist import waitlist_views, waitlists
from palace.web import flash
from palace.web.auth import page
from palace.web.params import parse_id, path_id
from palace.web.templating import render


def _member_id(request: Request) -> int:
    return int(request.state.member.id)


def _back(request: Request, target: str, error: ServiceError | None = None) -> Response:
    if error is not None:
        flash.code(request, error.code, **error.params)
    return RedirectResponse(target, status_code=303)


async def _line(request: Request, slot_id: int) -> waitlist_views.SlotLine:
    try:
        return await waitlist_views.slot_line(member_id=_member_id(request), slot_id=slot_id)
    except ServiceError:
        raise HTTPException(404) from None


@page()
async def line(request: Request) -> Response:
    shown = await _line(request, path_id(request, "slot_id"))
    return render(request, "waitlists/line.html", {"line": shown})


@page()
async def join(request: Request) -> Response:
    slot_id = path_id(request, "slot_id")
    form = await request.form()
    mode = str(form.get("mode", ""))[:10]
    raw_child = str(form.get("child", ""))[:20]
    child_id = parse_id(raw_child) if raw_child else None
    try:
        if raw_child and child_id is None:
            raise ServiceError("unknown_child")
        await waitlists.join(
            member_id=_member_id(request), slot_id=slot_id, mode=mode, child_id=child_id
        )
    except ServiceError as error:
        if error.code == "unknown_slot":
            raise HTTPException(404) from None
        return _back(request, f"/waitlist/{slot_id}", error)
    flash.add(request, N_("You are in line. We will tell you when a place comes free."))
    return RedirectResponse(f"/waitlist/{slot_id}", status_code=303)


async def _entry_action(request: Request, action: str) -> tuple[int, ServiceError | None]:
    entry_id = path_id(request, "entry_id")
    member_id = _member_id(request)
    try:
        if action == "leave":
            await waitlists.leave(member_id=member_id, entry_id=entry_id)
        else:
            await waitlists.decline(member_id=member_id, entry_id=entry_id)
    except ServiceError as error:
        if error.code == "unknown_entry":
            raise HTTPException(404) from None
        return entry_id, error
    return entry_id, None


@page()
async def leave(request: Request) -> Response:
    _, error = await _entry_action(request, "leave")
    if error is None:
        flash.add(request, N_("You have left the waitlist."))
    return _back(request, "/bookings", error)


@page()
async def decline(request: Request) -> Response:
    _, error = await _entry_action(request, "decline")
    if error is None:
        flash.add(request, N_("Declined. The place goes to the next in line."))
    return _back(request, "/inbox", error)


@page()
async def accept(request: Request) -> Response:
    entry_id = path_id(request, "entry_id")
    try:
        booking = await waitlists.accept(member_id=_member_id(request), entry_id=entry_id)
    except ServiceError as error:
        if error.code == "unknown_entry":
            raise HTTPException(404) from None
        return _back(request, "/inbox", error)
    flash.add(request, N_("Booked. It is in My bookings."))
    return RedirectResponse(f"/bookings/{booking.id}", status_code=303)


routes = [
    Route("/waitlist/{slot_id}", line, methods=["GET"]),
    Route("/waitlist/{slot_id}", join, methods=["POST"]),
    Route("/waitlist/entries/{entry_id}/leave", leave, methods=["POST"]),
    Route("/offers/{entry_id}/accept", accept, methods=["POST"]),
    Route("/offers/{entry_id}/decline", decline, methods=["POST"]),
]
