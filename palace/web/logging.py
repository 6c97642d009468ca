"""One line per request: method, path, status, time taken, who asked; and how every
log line of the processes shows its time.

Pages show the palace's time (Asia/Shanghai) while the logs keep UTC: each line's time
says its zone (``2026-12-06T01:00:00.123+00:00``), so nobody reads it 8 hours off.
"""

import logging
import re
import time
from datetime import UTC, datetime

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("palace.request")
# A calendar feed's address is its only key: logs show that it was used, never the key.
SECRET_IN_PATH = re.compile(r"^(/calendar/)[^/]+(\.ics)$")


LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class ZonedFormatter(logging.Formatter):
    """Times in UTC, written with their offset (ISO 8601)."""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")


def setup(level: str) -> None:
    """Log to stderr at ``level`` with zoned times (the command line's processes)."""
    handler = logging.StreamHandler()
    handler.setFormatter(ZonedFormatter(LOG_FORMAT))
    logging.basicConfig(level=level, handlers=[handler])


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
