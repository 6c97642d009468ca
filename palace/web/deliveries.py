"""Staff: messages that did not get out (failed or given up), with the provider's reason
and a button to try again."""

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from palace.i18n import N_
from palace.models import Role
from palace.services.messages import deliveries, notice_words
from palace.web import flash
from palace.web.auth import page
from palace.web.params import path_id
from palace.web.templating import render

STAFF = (Role.STAFF, Role.ADMIN)


@page(*STAFF)
async def troubled(request: Request) -> Response:
    found = await deliveries.troubled()
    return render(request, "staff/deliveries.html", {"found": found, "titles": notice_words.TITLES})


@page(*STAFF)
async def retry(request: Request) -> Response:
    delivery_id = path_id(request, "delivery_id")
    await deliveries.retry(actor_id=request.state.member.id, delivery_id=delivery_id)
    flash.add(request, N_("It will be sent again in a moment."))
    return RedirectResponse("/staff/deliveries", status_code=303)


routes = [
    Route("/staff/deliveries", troubled, methods=["GET"]),
    Route("/staff/deliveries/{delivery_id}/retry", retry, methods=["POST"]),
]
