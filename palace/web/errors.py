"""Error pages in the member's language: 403, 404, 405, 413, 429, 500."""

import logging

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from palace.i18n import N_
from palace.web.templating import is_htmx, render

log = logging.getLogger("palace.web")

TITLES = {
    400: N_("That request could not be understood."),
    403: N_("You do not have access to this page."),
    404: N_("This page does not exist."),
    405: N_("That action is not possible here."),
    413: N_("What you sent is too large."),
    429: N_("Too many requests. Please wait a moment and try again."),
    500: N_("Something went wrong on our side. Please try again later."),
}
CSRF_HINT = N_(
    "Your form has expired or did not come from this site. Reload the page and try again."
)


def error_page(request: Request, status: int, hint: str | None = None) -> Response:
    title = TITLES.get(status, TITLES[400] if status < 500 else TITLES[500])
    context = {"status": status, "title": title, "hint": hint}
    if is_htmx(request):
        # htmx 4 swaps error responses too: show the message in the page's main area
        # rather than inside whatever small element (a table row) made the request.
        headers = {"HX-Retarget": "#main", "HX-Reswap": "innerHTML"}
        return render(request, "errors/_error.html", context, status_code=status, headers=headers)
    return render(request, "errors/error.html", context, status_code=status)


def csrf_rejected(request: Request, status: int) -> Response:
    return error_page(request, status, CSRF_HINT if status == 403 else None)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    response = error_page(request, exc.status_code)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


async def server_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    try:
        return error_page(request, 500)
    except Exception:  # the page itself failed: say it plainly rather than crash again
        return Response("500", status_code=500, media_type="text/plain")
