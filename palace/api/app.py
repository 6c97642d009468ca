"""The API as a Starlette app mounted at /api/v1: its routes, its JSON errors, the
OpenAPI document and its docs page; and the guard that keeps cookies away from it.

Cookies never reach the API (``CookielessMiddleware`` drops them before the session
is read), so a browser's session cannot be ridden across sites into it; this is why
the CSRF check can skip /api/. The API reads bearer tokens only.
"""

import logging
from functools import cache

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from palace.api import (
    accounts,
    ballots,
    bookings,
    calendars,
    checkin,
    classes,
    errors,
    inbox,
    partners,
    queues,
    spec,
    waitlists,
)
from palace.api.operations import Operation
from palace.web.errors import is_bad_input
from palace.web.static import static_url

log = logging.getLogger("palace.api")
PREFIX = "/api/"
OPERATIONS: list[Operation] = [
    *accounts.operations,
    *bookings.operations,
    *partners.operations,
    *classes.operations,
    *waitlists.operations,
    *inbox.operations,
    *calendars.operations,
    *checkin.operations,
    *ballots.operations,
    *queues.operations,
]


class CookielessMiddleware:
    """Removes the Cookie header from every request under /api/ (outermost, before the
    session middleware): the API never acts on a browser's session."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(PREFIX):
            headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"cookie"]
            scope = {**scope, "headers": headers}
        await self.app(scope, receive, send)


class JsonErrorMiddleware:
    """An unexpected error answers a JSON 500 (bad input a JSON 400), never a page."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def send_wrapper(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        except Exception as exc:
            if started or scope["type"] != "http":
                raise
            lang = errors.language(Request(scope).headers.get("accept-language", ""))
            if is_bad_input(exc):
                log.warning("refused input on %s %s: %s", scope["method"], scope["path"], exc)
                response = errors.respond(lang, 400, "request_invalid")
            else:
                log.exception("unhandled error on %s %s", scope["method"], scope["path"])
                response = errors.respond(lang, 500, "server_error")
            await response(scope, receive, send)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    lang = errors.language(request.headers.get("accept-language", ""))
    code = "method_not_allowed" if exc.status_code == 405 else "not_found"
    return errors.respond(lang, exc.status_code, code, headers=dict(exc.headers or {}))


@cache
def _document() -> bytes:
    return spec.text(OPERATIONS).encode()


async def openapi(request: Request) -> Response:
    return Response(_document(), media_type="application/json")


DOCS = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Palace API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="{css}"></head>
<body><div id="docs"></div><script src="{bundle}"></script><script src="{init}"></script>
</body></html>
"""


async def docs(request: Request) -> Response:
    """The docs page, from static/vendor (Swagger UI) and this server's document."""
    # Our own addresses only: nothing from the request goes into the page.
    page = DOCS.format(css=static_url("vendor/swagger-ui.css"),
                       bundle=static_url("vendor/swagger-ui-bundle.js"),
                       init=static_url("api-docs.js"))  # fmt: skip
    return HTMLResponse(page)


def create_api() -> Starlette:
    routes = [op.route for op in OPERATIONS]
    routes += [Route("/openapi.json", openapi, methods=["GET"]),
               Route("/docs", docs, methods=["GET"])]  # fmt: skip
    return Starlette(
        routes=routes,
        middleware=[Middleware(JsonErrorMiddleware)],
        exception_handlers={HTTPException: http_error},
    )
