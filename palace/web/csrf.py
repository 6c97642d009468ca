"""CSRF: a token kept in the session, required on every unsafe request.

The token comes from the form field ``csrf_token`` or the ``X-CSRF-Token``
header (sent by htmx, see static/app.js). A browser's Origin, or failing that
its Sec-Fetch-Site, must also say the request came from our own pages.
"""

import secrets
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

from starlette.datastructures import Headers
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
FIELD = "csrf_token"
HEADER = "x-csrf-token"
MAX_BODY = 1024 * 1024

Reject = Callable[[Request, int], Response]


def token(request: HTTPConnection) -> str:
    if "session" not in request.scope:
        return ""
    if not request.session.get("csrf"):
        request.session["csrf"] = secrets.token_urlsafe(32)
    return str(request.session["csrf"])


DEFAULT_PORTS = {"http": 80, "https": 443}


def _site(scheme: str, netloc: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) with the default port filled in: "a:443" is "a" on https."""
    try:
        parts = urlsplit(f"//{netloc}")
        port = parts.port or DEFAULT_PORTS.get(scheme)
    except ValueError:
        return None
    if not parts.hostname or port is None:
        return None
    return (scheme, parts.hostname.lower(), port)


def _same_origin(scope: Scope, headers: Headers) -> bool:
    origin = headers.get("origin")
    if origin is not None:
        parts = urlsplit(origin)
        ours = _site(scope.get("scheme", "http"), headers.get("host", ""))
        return ours is not None and _site(parts.scheme, parts.netloc) == ours
    # No Origin (older browsers, some same-origin form posts): Fetch Metadata decides.
    return headers.get("sec-fetch-site", "same-origin") in ("same-origin", "none")


async def _read_body(receive: Receive) -> bytes | None:
    """The whole request body, or None when it is larger than we accept."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _form_token(headers: Headers, body: bytes) -> str:
    if headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        values = parse_qs(body.decode("latin-1"), keep_blank_values=True).get(FIELD)
        return values[-1] if values else ""
    return ""


def _api(scope: Scope) -> bool:
    return str(scope["path"]).startswith("/api/")


class CSRFMiddleware:
    def __init__(self, app: ASGIApp, reject: Reject) -> None:
        self.app = app
        self.reject = reject

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # The API never sees a cookie (palace.api.app.CookielessMiddleware): a forged
        # cross-site request has no session to ride there, only what it can send itself.
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS or _api(scope):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        body = await _read_body(receive)
        request = Request(scope)
        if body is None:
            await self.reject(request, 413)(scope, receive, send)
            return
        sent = headers.get(HEADER) or _form_token(headers, body)
        expected = request.session.get("csrf", "")
        valid = bool(expected) and secrets.compare_digest(sent.encode(), str(expected).encode())
        if not (valid and _same_origin(scope, headers)):
            await self.reject(request, 403)(scope, receive, send)
            return
        await self.app(scope, _replay(body, receive), send)


def _replay(body: bytes, original: Receive) -> Receive:
    """Hands the already-read body to the app, then passes on what the client sends."""
    done = False

    async def receive() -> Message:
        nonlocal done
        if done:
            return await original()
        done = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive
