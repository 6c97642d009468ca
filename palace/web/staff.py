"""Staff planning area: halls, courts and opening hours."""

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from palace.models import STAFF_ROLES
from palace.services.facilities import facilities
from palace.web.auth import page
from palace.web.templating import render


@page(*STAFF_ROLES)
async def overview(request: Request) -> Response:
    views = await facilities.list_facilities(include_inactive=True)
    return render(request, "staff/facilities.html", {"facilities": views})


routes = [Route("/staff", overview, methods=["GET"])]
