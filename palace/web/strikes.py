"""Staff: no-shows, the suspensions they caused, and waiving a strike with a reason."""

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from palace.i18n import N_
from palace.models import Role
from palace.services.core.errors import ServiceError
from palace.services.desk import desk, strikes
from palace.web import flash
from palace.web.auth import page
from palace.web.errors import attempt
from palace.web.params import path_id
from palace.web.templating import render

STAFF = (Role.STAFF, Role.ADMIN)


@page(*STAFF)
async def overview(request: Request) -> Response:
    return render(request, "staff/strikes.html", {"o": await strikes.overview()})


@page(*STAFF)
async def member(request: Request) -> Response:
    found = await desk.member_at_desk(member_id=path_id(request, "member_id"))
    return render(request, "staff/member_strikes.html", {"m": found, "can_waive": True})


@page(*STAFF)
async def waive(request: Request) -> Response:
    strike_id, form = path_id(request, "strike_id"), await request.form()
    done = await attempt(strikes.waive(actor_id=request.state.member.id, strike_id=strike_id,
                                       reason=str(form.get("reason", ""))[:400]))  # fmt: skip
    if isinstance(done, ServiceError):
        return _refused(request, done)
    flash.add(request, N_("Strike waived. A suspension it caused is lifted."))
    return RedirectResponse(f"/staff/members/{done.member_id}/strikes", status_code=303)


def _refused(request: Request, error: ServiceError) -> Response:
    """Back to the member's strikes (the error names the member) with why not."""
    params = {k: v for k, v in error.params.items() if k != "member_id"}
    flash.code(request, error.code, **params)
    return RedirectResponse(f"/staff/members/{error.params['member_id']}/strikes", status_code=303)


routes = [
    Route("/staff/strikes", overview, methods=["GET"]),
    Route("/staff/members/{member_id}/strikes", member, methods=["GET"]),
    Route("/staff/strikes/{strike_id}/waive", waive, methods=["POST"]),
]
