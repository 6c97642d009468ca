"""Member waitlist pages: a full slot's line (join, leave), and answering an offer."""

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from palace.i18n import N_
from palace.services.waitlist import waitlist_views, waitlists
from palace.web import flash
from palace.web.auth import page
from palace.web.errors import back_to
from palace.web.params import given_id, path_id
from palace.web.templating import render


def _member_id(request: Request) -> int:
    return int(request.state.member.id)


@page()
async def line(request: Request) -> Response:
    slot_id = path_id(request, "slot_id")
    shown = await waitlist_views.slot_line(member_id=_member_id(request), slot_id=slot_id)
    return render(request, "waitlists/line.html", {"line": shown})


@page()
async def join(request: Request) -> Response:
    slot_id, form = path_id(request, "slot_id"), await request.form()
    back_to(request, f"/waitlist/{slot_id}")
    child_id = given_id(form.get("child"), "unknown_child")
    mode = str(form.get("mode", ""))[:10]
    await waitlists.join(member_id=_member_id(request), slot_id=slot_id, mode=mode,
                         child_id=child_id)  # fmt: skip
    flash.add(request, N_("You are in line. We will tell you when a place comes free."))
    return RedirectResponse(f"/waitlist/{slot_id}", status_code=303)


@page()
async def leave(request: Request) -> Response:
    back_to(request, "/bookings")
    await waitlists.leave(member_id=_member_id(request), entry_id=path_id(request, "entry_id"))
    flash.add(request, N_("You have left the waitlist."))
    return RedirectResponse("/bookings", status_code=303)


@page()
async def decline(request: Request) -> Response:
    back_to(request, "/inbox")
    await waitlists.decline(member_id=_member_id(request), entry_id=path_id(request, "entry_id"))
    flash.add(request, N_("Declined. The place goes to the next in line."))
    return RedirectResponse("/inbox", status_code=303)


@page()
async def accept(request: Request) -> Response:
    back_to(request, "/inbox")
    entry_id = path_id(request, "entry_id")
    booking = await waitlists.accept(member_id=_member_id(request), entry_id=entry_id)
    flash.add(request, N_("Booked. It is in My bookings."))
    return RedirectResponse(f"/bookings/{booking.id}", status_code=303)


routes = [
    Route("/waitlist/{slot_id}", line, methods=["GET"]),
    Route("/waitlist/{slot_id}", join, methods=["POST"]),
    Route("/waitlist/entries/{entry_id}/leave", leave, methods=["POST"]),
    Route("/offers/{entry_id}/accept", accept, methods=["POST"]),
    Route("/offers/{entry_id}/decline", decline, methods=["POST"]),
]
