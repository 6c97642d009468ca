"""Signed session cookie: HttpOnly, SameSite=Lax, and Secure whenever served over https."""

from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

COOKIE = "palace_session"
MAX_AGE = 14 * 24 * 3600


class SchemeAwareSessionMiddleware:
    """Marks the cookie Secure on https requests (behind a proxy: run with --proxy-headers)."""

    def __init__(self, app: ASGIApp, secret_key: str) -> None:
        options = {"session_cookie": COOKIE, "max_age": MAX_AGE, "same_site": "lax"}
        self.plain = SessionMiddleware(app, secret_key, https_only=False, **options)  # type: ignore[arg-type]
        self.secure = SessionMiddleware(app, secret_key, https_only=True, **options)  # type: ignore[arg-type]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        secure = scope.get("scheme") in ("https", "wss")
        await (self.secure if secure else self.plain)(scope, receive, send)
