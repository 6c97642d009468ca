"""The edge: what a browser, a scanner or an attacker can put in an address is checked
once, here, before any page or service sees it.

A control character (NUL above all: PostgreSQL refuses it in text) in the path is never
part of a real address: it answers 404. Query and form values are text a person typed
(or a scanner did); the services keep what is printable of them (palace.services.core.text).
"""

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from palace.web.errors import error_page


def _has_control(data: bytes) -> bool:
    return any(byte < 0x20 or byte == 0x7F for byte in data)


class InputGuardMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _has_control(scope["path"].encode("utf-8", "replace")):
            await error_page(Request(scope), 404)(scope, receive, send)
            return
        await self.app(scope, receive, send)
