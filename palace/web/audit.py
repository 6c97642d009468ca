"""Staff: the audit trail, filtered by member, hall, kind and days, every code in words."""

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from palace.catalog import KINDS
from palace.models import Role
from palace.services.accounts import accounts
from palace.services.core import audit, clock
from palace.services.facilities import facilities
from palace.web.auth import page
from palace.web.params import parse_id
from palace.web.templating import render

QUERY = ("member", "hall", "kind", "from", "to")


async def _filters(values: dict[str, str]) -> tuple[audit.Filters | None, bool]:
    """The filters asked for, and whether the member typed was found (None: look for
    nothing, as for a member who does not exist)."""
    member_id = None
    if values["member"]:
        found = await accounts.find(login=values["member"])
        if found is None:
            return None, False
        member_id = found.id
    filters = audit.Filters(
        member_id=member_id,
        facility_id=parse_id(values["hall"]) if values["hall"] else None,
        kind=values["kind"] if values["kind"] in KINDS else None,
        day_from=clock.parse_day(values["from"]),
        day_to=clock.parse_day(values["to"]),
    )
    return filters, True


@page(Role.STAFF, Role.ADMIN)
async def trail(request: Request) -> Response:
    values = {key: request.query_params.get(key, "")[:40] for key in QUERY}
    filters, known = await _filters(values)
    entries = await audit.search(filters=filters) if filters else []
    context = {
        "values": values,
        "entries": entries,
        "member_unknown": not known,
        "halls": await facilities.list_facilities(include_inactive=True),
        "kinds": list(KINDS),
    }
    return render(request, "staff/audit.html", context)


routes = [Route("/staff/audit", trail, methods=["GET"])]
