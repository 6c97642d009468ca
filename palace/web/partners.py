"""Partner invitations: the invited member's page, their answer (accept or decline, and
later leave), and the booker withdrawing an invitation nobody has answered."""

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from palace.i18n import N_
from palace.services.booking import partners
from palace.web import flash
from palace.web.auth import page
from palace.web.errors import back_to
from palace.web.params import path_id
from palace.web.templating import render

ANSWERS = {"accept": True, "decline": False}
JOINED = N_("You have joined this booking.")
DECLINED = N_("You declined the invitation.")
LEFT = N_("You have left this booking.")
WITHDRAWN = N_("Invitation withdrawn.")


@page()
async def invitation(request: Request) -> Response:
    """What the invitation message links to: who invites whom to what, and the answer."""
    found = await partners.invitation_of(
        member_id=request.state.member.id, booking_id=path_id(request, "booking_id")
    )
    return render(request, "partners/invitation.html", {"inv": found})


@page()
async def answer(request: Request) -> Response:
    booking_id = path_id(request, "booking_id")
    accept = ANSWERS.get(str((await request.form()).get("answer", "")))
    if accept is None:
        raise HTTPException(400)
    back_to(request, "/bookings")
    await partners.answer(member_id=request.state.member.id, booking_id=booking_id, accept=accept)
    flash.add(request, JOINED if accept else DECLINED)
    return RedirectResponse(f"/bookings/{booking_id}" if accept else "/bookings", status_code=303)


@page()
async def leave(request: Request) -> Response:
    back_to(request, "/bookings")
    booking_id = path_id(request, "booking_id")
    await partners.leave(member_id=request.state.member.id, booking_id=booking_id)
    flash.add(request, LEFT)
    return RedirectResponse("/bookings", status_code=303)


@page()
async def withdraw(request: Request) -> Response:
    booking_id, invitation_id = path_id(request, "booking_id"), path_id(request, "invitation_id")
    back_to(request, f"/bookings/{booking_id}")
    await partners.withdraw(member_id=request.state.member.id, booking_id=booking_id,
                            invitation_id=invitation_id)  # fmt: skip
    flash.add(request, WITHDRAWN)
    return RedirectResponse(f"/bookings/{booking_id}", status_code=303)


routes = [
    Route("/bookings/{booking_id}/invitation", invitation, methods=["GET"]),
    Route("/bookings/{booking_id}/invitation", answer, methods=["POST"]),
    Route(
        "/bookings/{booking_id}/invitations/{invitation_id}/withdraw", withdraw, methods=["POST"]
    ),
    Route("/bookings/{booking_id}/leave", leave, methods=["POST"]),
]
