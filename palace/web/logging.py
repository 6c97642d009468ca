"""One line per request: method, path, status, time taken, who asked."""

import logging
import re
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("palace.request")
# A calendar feed's address is its only key: logs show that it was used, never the key.
SECRET_IN_PATH = re.compile(r"^(/calendar/)[^/]+(\.ics)$")


def loggable_path(path: str) -> str:
    return SECRET_IN_PATH.sub(r"\1…\2", path)


class RequestLogMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            member = getattr(scope.get("state", {}).get("member"), "id", "-")
            client = scope.get("client") or ("-", 0)
            log.info(
                '%s "%s %s" %s %.1fms member=%s',
                client[0],
                scope["method"],
                loggable_path(scope["path"]),
                status,
                (time.perf_counter() - started) * 1000,
                member,
            )
