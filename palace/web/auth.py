"""Who is asking: the member behind the session, their language, and page access.

Every endpoint declares who may see it with ``@public`` or ``@page(roles…)``;
a test walks the routes and fails on any endpoint that declares nothing.
"""

import functools
from collections.abc import Awaitable, Callable
from urllib.parse import quote, urlsplit

from starlette.exceptions import HTTPException
from starlette.requests import HTTPConnection, Request
from starlette.responses import RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from palace.models import Member, Role
from palace.services.accounts import account_status, logins
from palace.services.desk import strikes
from palace.services.facilities import setup_cache
from palace.settings import LANGUAGES, get_settings

Endpoint = Callable[[Request], Awaitable[Response]]
ACCESS_ATTR = "palace_access"
ANY_MEMBER = frozenset(Role)
# Where a member with a password from the front desk must go before any other page.
PASSWORD_PAGE = "/account/password"  # noqa: S105 (a path, not a password)


def public(endpoint: Endpoint) -> Endpoint:
    setattr(endpoint, ACCESS_ATTR, "public")
    return endpoint


def page(*roles: Role) -> Callable[[Endpoint], Endpoint]:
    """Only logged-in members with one of ``roles`` (any role when none is given)."""
    allowed = frozenset(roles) or ANY_MEMBER

    def decorate(endpoint: Endpoint) -> Endpoint:
        @functools.wraps(endpoint)
        async def guarded(request: Request) -> Response:
            member: Member | None = request.state.member
            if member is None:
                return login_redirect(request)
            if member.role not in allowed:
                raise HTTPException(403)
            if member.must_change_password and request.url.path != PASSWORD_PAGE:
                return _redirect(request, PASSWORD_PAGE)
            return await endpoint(request)

        setattr(guarded, ACCESS_ATTR, allowed)
        return guarded

    return decorate


def safe_next(target: str | None) -> str:
    """A local path to return to; anything else (other hosts, schemes) becomes '/'."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    if "\\" in target or any(ord(c) < 32 for c in target):
        return "/"
    return target


def login_redirect(request: Request) -> Response:
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.method != "GET":
        # After a form post, come back to the page the form was on, not to the post.
        here = _local_path(request.headers.get("referer", ""), request.headers.get("host", ""))
    return _redirect(request, f"/login?next={quote(safe_next(here), safe='')}")


def _redirect(request: Request, location: str) -> Response:
    if request.headers.get("hx-request") == "true":
        return Response(status_code=204, headers={"HX-Redirect": location})
    return RedirectResponse(location, status_code=303)


def _local_path(url: str, host: str) -> str:
    parts = urlsplit(url)
    if parts.netloc != host:
        return "/"
    return parts.path + (f"?{parts.query}" if parts.query else "")


SESSION_KEY = "sid"


def remember_login(request: Request, token: str) -> None:
    """Tie the browser to a session started by the accounts service."""
    lang = request.session.get("lang")
    # A fresh cookie on log-in: nothing from before (a planted id, an old token) survives.
    request.session.clear()
    request.session[SESSION_KEY] = token
    if lang in LANGUAGES:
        request.session["lang"] = lang


def forget_login(request: Request) -> str | None:
    """Clear the cookie's session, keeping only the chosen language; returns the token."""
    token = request.session.get(SESSION_KEY)
    lang = getattr(request.state, "lang", None)
    request.session.clear()
    if lang in LANGUAGES:
        request.session["lang"] = lang
    return token if isinstance(token, str) else None


def request_language(conn: HTTPConnection) -> str:
    """The asker's language (set on every request by ``RequestContextMiddleware``)."""
    lang = getattr(conn.state, "lang", None)
    return lang if lang in LANGUAGES else get_settings().default_language


def session_token(request: Request) -> str | None:
    token = request.session.get(SESSION_KEY)
    return token if isinstance(token, str) else None


def _wants_unread(conn: HTTPConnection) -> bool:
    """Unread messages are for the header's badge; fragments (htmx) have no header."""
    return conn.headers.get("hx-request") != "true"


class RequestContextMiddleware:
    """Puts ``member`` and ``lang`` on request.state for every page."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        # Cached hall set-up is checked against the database once per request.
        with setup_cache.request_scope():
            await self._load(HTTPConnection(scope))
            await self.app(scope, receive, send)

    async def _load(self, conn: HTTPConnection) -> None:
        member, unread = None, 0
        session = conn.session
        token = session.get(SESSION_KEY)
        if isinstance(token, str):
            member, unread = await logins.resolve_with_unread(
                token=token, count_unread=_wants_unread(conn)
            )
            if member is None:
                session.pop(SESSION_KEY)
        lang = member.language if member else session.get("lang")
        conn.state.member = member
        conn.state.unread = unread
        # Shown on every page, so the member knows before tapping anything: an
        # administrator's suspension, else a no-show one (read only when the member row
        # says one is in force).
        conn.state.suspension = (
            (account_status.account_suspension(member) or await strikes.in_force(member))
            if member
            else None
        )
        conn.state.lang = lang if lang in LANGUAGES else get_settings().default_language
