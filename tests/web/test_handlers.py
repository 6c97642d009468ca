"""Route handlers stay short (parse, call one service, answer), and a service's coded
error raised out of one is answered in one place: 404, 403, 429, 409 or 400, as a
page, an htmx fragment or a way back with the message, in the asker's language."""

import ast
import html
import inspect
import textwrap
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from palace.models import Role
from palace.services.core.errors import NotAllowed, NotFound, ServiceError, Throttled
from palace.web.auth import page
from palace.web.errors import back_to
from palace.web.params import query_day
from tests.helpers import log_in, make_member

MAX_LINES = 15


def handler_lines(endpoint: Callable[..., Any]) -> int:
    """From ``def`` (decorators left out) to the function's last line."""
    source = textwrap.dedent(inspect.getsource(inspect.unwrap(endpoint)))
    node = ast.parse(source).body[0]
    assert isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    return (node.end_lineno or node.lineno) - node.lineno + 1


def endpoints(app: Starlette) -> dict[str, Callable[..., Any]]:
    found = {}
    for route in app.routes:
        if isinstance(route, Route) and route.endpoint.__module__.startswith("palace.web"):
            handler = inspect.unwrap(route.endpoint)
            found[f"{handler.__module__}.{handler.__name__}"] = handler
    return found


def test_every_route_handler_is_15_lines_or_under(app: Starlette) -> None:
    found = endpoints(app)
    assert len(found) > 80  # every page and form of the app, not a few
    too_long = {name: n for name, f in found.items() if (n := handler_lines(f)) > MAX_LINES}
    assert too_long == {}


def test_the_count_starts_at_def_and_ends_at_the_last_line() -> None:
    @page()
    async def sixteen(request: Request) -> Response:
        """Fifteen lines under the def."""
        a = 1
        a += 1
        a += 1
        a += 1
        a += 1
        a += 1
        a += 1
        a += 1
        a += 1
        a += 1
        a += 1
        a += 1
        a += 1
        return Response(str(a))

    assert handler_lines(sixteen) == 16


# Handlers that raise what services raise, mounted on the real app for these tests.
async def _missing(request: Request) -> Response:
    raise NotFound("unknown_booking")


async def _not_allowed(request: Request) -> Response:
    raise NotAllowed("desk_resets_members_only")


async def _throttled(request: Request) -> Response:
    raise Throttled("too_many_attempts", retry_after=42)


async def _taken(request: Request) -> Response:
    raise ServiceError("slot_taken")


async def _refused_form(request: Request) -> Response:
    back_to(request, "/bookings")
    raise ServiceError("already_cancelled")


async def _day(request: Request) -> Response:
    back_to(request, "/bookings")
    return Response(str(query_day(request)))


TEST_ROUTES = {
    "/test-errors/missing": _missing,
    "/test-errors/not-allowed": _not_allowed,
    "/test-errors/throttled": _throttled,
    "/test-errors/taken": _taken,
    "/test-errors/form": _refused_form,
    "/test-errors/day": _day,
}


@pytest.fixture
async def raising(app: Starlette, client: httpx.AsyncClient) -> httpx.AsyncClient:
    for path, endpoint in TEST_ROUTES.items():
        app.router.routes.insert(0, Route(path, page()(endpoint), methods=["GET", "POST"]))
    await log_in(client, await make_member(role=Role.MEMBER, language="en"))
    yield client  # type: ignore[misc]
    app.router.routes[:] = [
        r for r in app.router.routes if getattr(r, "path", "") not in TEST_ROUTES
    ]


HTMX = {"HX-Request": "true"}


@pytest.mark.parametrize(
    ("path", "status", "text"),
    [
        ("/test-errors/missing", 404, "This page does not exist."),
        ("/test-errors/not-allowed", 403, "The front desk can reset members' passwords only."),
        ("/test-errors/throttled", 429, "Please wait 42 seconds and try again."),
        ("/test-errors/taken", 409, "Sorry, that place was just taken."),
        ("/test-errors/day?day=nonsense", 303, ""),
    ],
)
async def test_a_coded_error_becomes_its_status_and_message(
    raising: httpx.AsyncClient, path: str, status: int, text: str
) -> None:
    response = await raising.get(path)
    assert response.status_code == status
    assert text in html.unescape(response.text)
    if status == 429:
        assert response.headers["retry-after"] == "42"


async def test_a_refused_request_goes_back_with_the_message_in_the_members_language(
    raising: httpx.AsyncClient,
) -> None:
    from tests.helpers import post_form

    response = await post_form(raising, "/test-errors/form", {}, page="/bookings")
    assert (response.status_code, response.headers["location"]) == (303, "/bookings")
    shown = await raising.get("/bookings")
    assert "This booking has already been cancelled." in shown.text
    assert (await raising.get("/test-errors/day?day=2026-11-20")).text == "2026-11-20"
    back = await raising.get("/test-errors/day?day=nonsense", follow_redirects=True)
    assert "Enter a date as YYYY-MM-DD" in back.text


async def test_htmx_gets_the_message_above_the_page_it_is_on(
    raising: httpx.AsyncClient,
) -> None:
    response = await raising.get("/test-errors/taken", headers=HTMX)
    assert response.status_code == 409
    assert response.headers["hx-retarget"] == "#main"
    assert response.headers["hx-reswap"] == "afterbegin"
    assert 'class="flash flash-error"' in response.text
    assert "Sorry, that place was just taken." in response.text
    assert "<html" not in response.text
    missing = await raising.get("/test-errors/missing", headers=HTMX)
    assert missing.status_code == 404 and "<html" not in missing.text
