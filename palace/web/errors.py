"""Error pages in the member's language: 400, 403, 404, 405, 413, 429, 500.

Every error page carries the security headers and ``no-store``; an unexpected error is
logged and answered here, inside the middleware that adds those headers, and never
reaches the server (which would drop the connection).
"""

import logging

from asyncpg.exceptions import CharacterNotInRepertoireError  # type: ignore[import-untyped]
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from tortoise.exceptions import OperationalError, ValidationError

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
    headers = {"Cache-Control": "no-store"}
    if is_htmx(request):
        # htmx 4 swaps error responses too: show the message in the page's main area
        # rather than inside whatever small element (a table row) made the request.
        headers |= {"HX-Retarget": "#main", "HX-Reswap": "innerHTML"}
        return render(request, "errors/_error.html", context, status_code=status, headers=headers)
    return render(request, "errors/error.html", context, status_code=status, headers=headers)


def csrf_rejected(request: Request, status: int) -> Response:
    return error_page(request, status, CSRF_HINT if status == 403 else None)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    response = error_page(request, exc.status_code)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


def is_bad_input(exc: BaseException) -> bool:
    """What the database says about a value no real request carries: longer than its
    column (Tortoise checks before asking), or a NUL byte (PostgreSQL refuses it)."""
    if isinstance(exc, ValidationError):
        return True
    return isinstance(exc, OperationalError) and isinstance(
        exc.__cause__, CharacterNotInRepertoireError
    )


def _server_error_page(request: Request) -> Response:
    try:
        return error_page(request, 500)
    except Exception:  # the page itself failed: say it plainly rather than crash again
        log.exception("the error page failed too")
        return Response("500", status_code=500, media_type="text/plain")


async def server_error(request: Request, exc: Exception) -> Response:
    """Last resort, for errors in the outermost middleware."""
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return _server_error_page(request)


class ErrorPageMiddleware:
    """Answers an unexpected error with the 500 page, inside the security headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_wrapper(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        except Exception as exc:
            if started:  # half a page is out: nothing better than to let the server end it
                raise
            request = Request(scope)
            if is_bad_input(exc):
                log.warning("refused input on %s %s: %s", scope["method"], scope["path"], exc)
                response = error_page(request, 400)
            else:
                log.exception("unhandled error on %s %s", scope["method"], scope["path"])
                response = _server_error_page(request)
            await response(scope, receive, send)
