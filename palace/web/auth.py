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
from palace.services import accounts
from palace.settings import LANGUAGES, get_settings

Endpoint = Callable[[Request], Awaitable[Response]]
ACCESS_ATTR = "palace_access"
ANY_MEMBER = frozenset(Role)


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
    location = f"/login?next={quote(safe_next(here), safe='')}"
    if request.headers.get("hx-request") == "true":
        return Response(status_code=204, headers={"HX-Redirect": location})
    return RedirectResponse(location, status_code=303)


def _local_path(url: str, host: str) -> str:
    parts = urlsplit(url)
    if parts.netloc != host:
        return "/"
    return parts.path + (f"?{parts.query}" if parts.query else "")


def log_in(request: Request, member: Member) -> None:
    # A fresh session on log-in: nothing from before (a planted id, an old token) survives.
    request.session.clear()
    request.session.update({"member_id": member.id, "epoch": member.session_epoch})


def log_out(request: Request) -> None:
    request.session.clear()


class RequestContextMiddleware:
    """Puts ``member`` and ``lang`` on request.state for every page."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope["path"].startswith("/static/"):
            await self._load(HTTPConnection(scope))
        await self.app(scope, receive, send)

    async def _load(self, conn: HTTPConnection) -> None:
        member = None
        session = conn.session
        member_id, epoch = session.get("member_id"), session.get("epoch")
        if isinstance(member_id, int) and isinstance(epoch, int):
            member = await accounts.session_member(member_id=member_id, epoch=epoch)
            if member is None:
                session.clear()
        lang = member.language if member else session.get("lang")
        conn.state.member = member
        conn.state.lang = lang if lang in LANGUAGES else get_settings().default_language
