"""The front page: what the palace offers, and where each role goes next."""

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from palace.services.facilities import facilities
from palace.web.auth import public
from palace.web.templating import render


@public
async def home(request: Request) -> Response:
    views = await facilities.list_facilities()
    return render(request, "home/home.html", {"facilities": views})


routes = [Route("/", home, methods=["GET"])]
