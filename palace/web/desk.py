"""Front desk: find a member by card number, phone or name."""

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from palace.models import Role
from palace.services import accounts
from palace.web.auth import page
from palace.web.templating import is_htmx, render


@page(Role.DESK, Role.ADMIN)
async def lookup(request: Request) -> Response:
    query = request.query_params.get("q", "")[:60]
    found = await accounts.search(query=query, limit=20) if query.strip() else []
    name = "desk/_results.html" if is_htmx(request) else "desk/lookup.html"
    return render(request, name, {"q": query, "found": found})


routes = [Route("/desk", lookup, methods=["GET"])]
