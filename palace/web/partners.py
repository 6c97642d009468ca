"""A member invited as a partner answers: accept or decline, and later leave."""

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from palace.i18n import N_
from palace.services import partners
from palace.services.errors import ServiceError
from palace.web import flash
from palace.web.auth import page
from palace.web.params import path_id

ANSWERS = {"accept": True, "decline": False}
JOINED = N_("You have joined this booking.")
DECLINED = N_("You declined the invitation.")
LEFT = N_("You have left this booking.")


def _after(request: Request, error: ServiceError | None, notice: str, target: str) -> Response:
    if error is not None:
        flash.code(request, error.code)
        target = "/bookings"
    else:
        flash.add(request, notice)
    return RedirectResponse(target, status_code=303)


@page()
async def answer(request: Request) -> Response:
    booking_id = path_id(request, "booking_id")
    accept = ANSWERS.get(str((await request.form()).get("answer", "")))
    if accept is None:
        raise HTTPException(400)
    error = None
    try:
        await partners.answer(
            member_id=request.state.member.id, booking_id=booking_id, accept=accept
        )
    except ServiceError as exc:
        error = exc
    target = f"/bookings/{booking_id}" if accept else "/bookings"
    return _after(request, error, JOINED if accept else DECLINED, target)


@page()
async def leave(request: Request) -> Response:
    booking_id = path_id(request, "booking_id")
    error = None
    try:
        await partners.leave(member_id=request.state.member.id, booking_id=booking_id)
    except ServiceError as exc:
        error = exc
    return _after(request, error, LEFT, "/bookings")


routes = [
    Route("/bookings/{booking_id}/invitation", answer, methods=["POST"]),
    Route("/bookings/{booking_id}/leave", leave, methods=["POST"]),
]
