"""Headers on every response: no framing, no sniffing, scripts only from us, and no
caching of pages that show a logged-in member's data."""

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADERS = {
    # Everything comes from our own origin: htmx and Pico are served from static/vendor.
    # 'wasm-unsafe-eval' lets the desk's camera reader compile its WebAssembly (also
    # served from static/vendor); it allows no other code.
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
        "img-src 'self' data:; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers.setdefault(name, value)
                if scope.get("state", {}).get("member") is not None:
                    headers.setdefault("Cache-Control", "no-store")
                # Some pages answer htmx with a fragment and browsers with a whole page.
                headers.add_vary_header("HX-Request")
            await send(message)

        await self.app(scope, receive, send_wrapper)
