"""Error pages in the member's language: 400, 403, 404, 405, 413, 429, 500.

A service's coded error raised out of a handler is answered here too, in one place
(``service_error``): ``NotFound`` is the 404 page, ``NotAllowed`` 403, ``Throttled`` 429
with ``Retry-After``, any other refusal 409 (the thing changed under the member) or 400
with the code's message. A request whose handler said where to go back to (``back_to``:
the form's page, a page without the query that failed) goes there with the message; an
htmx request gets the message put at the top of the page. A handler that shows the
refusal in its own form catches it through ``attempt``, which lets ``NotFound`` through
to here.

Every error page carries the security headers and ``no-store``; an unexpected error is
logged and answered here, inside the middleware that adds those headers, and never
reaches the server (which would drop the connection).
"""

import logging
from collections.abc import Awaitable
from typing import TypeVar

from asyncpg.exceptions import (  # type: ignore[import-untyped]
    CharacterNotInRepertoireError,
    OperatorInterventionError,
    PostgresConnectionError,
)
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from tortoise.exceptions import DBConnectionError, OperationalError, ValidationError

from palace.i18n import N_
from palace.services.core.errors import NotAllowed, NotFound, ServiceError, Throttled
from palace.web import flash
from palace.web.messages import message
from palace.web.templating import is_htmx, render, request_language

log = logging.getLogger("palace.web")
T = TypeVar("T")

TITLES = {
    400: N_("That request could not be understood."),
    403: N_("You do not have access to this page."),
    404: N_("This page does not exist."),
    405: N_("That action is not possible here."),
    413: N_("What you sent is too large."),
    429: N_("Too many requests. Please wait a moment and try again."),
    500: N_("Something went wrong on our side. Please try again later."),
    503: N_("The booking system is restarting. Please try again in a few seconds."),
}
# The database going away for a moment (a restart, a fail-over, a dropped connection):
# nothing the request did, and trying again shortly works, so 503 with Retry-After.
UNAVAILABLE = (
    PostgresConnectionError,
    OperatorInterventionError,
    DBConnectionError,
    ConnectionError,
)
RETRY_AFTER_SECONDS = 3
CSRF_HINT = N_(
    "Your form has expired or did not come from this site. Reload the page and try again."
)


# Refusals about the thing itself, as it is now (just taken, closed, started): 409.
CONFLICT = frozenset(
    {
        "slot_taken",
        "already_booked",
        "slot_closed",
        "slot_past",
        "not_yet_open",
        "session_cancelled",
    }
)


def error_page(
    request: Request, status: int, hint: str | None = None, *, detail: str | None = None
) -> Response:
    """``hint``: a message id to translate; ``detail``: text in the asker's language."""
    title = TITLES.get(status, TITLES[400] if status < 500 else TITLES[500])
    context = {"status": status, "title": title, "hint": hint, "detail": detail}
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


def status_for(error: ServiceError) -> int:
    """The one mapping of a coded error to an HTTP status."""
    if isinstance(error, NotFound):
        return 404
    if isinstance(error, NotAllowed):
        return 403
    if isinstance(error, Throttled):
        return 429
    return 409 if error.code in CONFLICT else 400


def headers_for(error: ServiceError) -> dict[str, str]:
    return {"Retry-After": str(error.retry_after)} if isinstance(error, Throttled) else {}


def text_for(request: Request, error: ServiceError) -> str:
    return message(request_language(request), error.code, **error.params)


async def attempt(work: Awaitable[T]) -> T | ServiceError:
    """The service's answer, or its refusal for a form to show beside what was typed;
    an unknown id is not a refusal to show there, so ``NotFound`` goes on to the 404."""
    try:
        return await work
    except NotFound:
        raise
    except ServiceError as error:
        return error


async def refusal(work: Awaitable[object]) -> ServiceError | None:
    """``attempt`` for a call whose answer is not needed: its refusal, or None."""
    done = await attempt(work)
    return done if isinstance(done, ServiceError) else None


def back_to(request: Request, target: str) -> None:
    """Where a refused request goes back to, the message shown there, when the handler
    does not show the refusal itself (a form post: the form's page)."""
    request.state.refused_to = target


async def service_error(request: Request, exc: Exception) -> Response:
    """A coded error a handler let through: the page, fragment or redirect that says it."""
    assert isinstance(exc, ServiceError)
    status = status_for(exc)
    if status == 404:
        return error_page(request, 404)
    target = getattr(request.state, "refused_to", None)
    if is_htmx(request):
        return _refusal_fragment(request, exc, status)
    # A page that failed goes elsewhere (itself again would fail the same way).
    if target is not None and (request.method != "GET" or target != _here(request)):
        flash.code(request, exc.code, **exc.params)
        return RedirectResponse(target, status_code=303)
    response = error_page(request, status, detail=text_for(request, exc))
    response.headers.update(headers_for(exc))
    return response


def _here(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def _refusal_fragment(request: Request, error: ServiceError, status: int) -> Response:
    # htmx 4 swaps error responses: the message goes above the page's content, which
    # stays as it was (nothing was changed).
    headers = {"HX-Retarget": "#main", "HX-Reswap": "afterbegin", **headers_for(error)}
    context = {"flashes": [("error", text_for(request, error))]}
    return render(request, "_flashes.html", context, status_code=status, headers=headers)


def is_bad_input(exc: BaseException) -> bool:
    """What the database says about a value no real request carries: longer than its
    column (Tortoise checks before asking), or a NUL byte (PostgreSQL refuses it)."""
    if isinstance(exc, ValidationError):
        return True
    return isinstance(exc, OperationalError) and isinstance(
        exc.__cause__, CharacterNotInRepertoireError
    )


def is_unavailable(exc: BaseException) -> bool:
    """Whether the error, or one it came from, is the database being away for a moment."""
    seen: BaseException | None = exc
    for _ in range(5):
        if seen is None:
            return False
        if isinstance(seen, UNAVAILABLE):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _unavailable_page(request: Request) -> Response:
    try:
        response = error_page(request, 503)
    except Exception:  # the page needs nothing from the database, but be plain if it fails
        log.exception("the unavailable page failed")
        response = Response("503", status_code=503, media_type="text/plain")
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


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
            elif is_unavailable(exc):
                log.warning(
                    "database unavailable on %s %s: %r", scope["method"], scope["path"], exc
                )
                response = _unavailable_page(request)
            else:
                log.exception("unhandled error on %s %s", scope["method"], scope["path"])
                response = _server_error_page(request)
            await response(scope, receive, send)
