"""One line per request: method, path, status, time taken, who asked; the request's id;
and how every log line of the processes looks.

Pages show the palace's time (Asia/Shanghai) while the logs keep UTC: each line's time
says its zone (``2026-12-06T01:00:00.123+00:00``), so nobody reads it 8 hours off.

PALACE_LOG_FORMAT=json writes one JSON object per line (for a log collector); the
default is readable text. Either way a line made while serving a request, or running a
job that request queued, carries the request's id (``X-Request-ID``, see ``tracing``).
"""

import json
import logging
import re
import time
from datetime import UTC, datetime

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from palace import tracing
from palace.services.core import clock

log = logging.getLogger("palace.request")
# A calendar feed's address is its only key: logs show that it was used, never the key.
SECRET_IN_PATH = re.compile(r"^(/calendar/)[^/]+(\.ics)$")


LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


FORMATS = ("text", "json")


def _ids(record: logging.LogRecord) -> dict[str, str]:
    found = {
        "request_id": getattr(record, "request_id", None),
        "job": getattr(record, "job_id", None),
    }
    return {key: value for key, value in found.items() if value}


class ZonedFormatter(logging.Formatter):
    """Times in UTC, written with their offset (ISO 8601); the request's id at the end."""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        ids = " ".join(f"{key}={value}" for key, value in _ids(record).items())
        return f"{line} [{ids}]" if ids else line


class JsonFormatter(ZonedFormatter):
    """One JSON object per line: time, level, logger, message, ids, and any error."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **_ids(record),
        }
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def setup(level: str, log_format: str = "text") -> None:
    """Log to stderr at ``level`` as text with zoned times, or as JSON lines."""
    tracing.install_log_records()
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if log_format == "json" else ZonedFormatter(LOG_FORMAT))
    logging.basicConfig(level=level, handlers=[handler])


def loggable_path(path: str) -> str:
    return SECRET_IN_PATH.sub(r"\1…\2", path)


class RequestLogMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        tracing.install_log_records()  # also where the app runs without the command line

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        arrival = tracing.arrived.set(clock.now())
        status = 500
        request_id = tracing.accept(Headers(scope=scope).get(tracing.HEADER))
        token = tracing.current.set(request_id)

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[tracing.HEADER] = request_id
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
            tracing.current.reset(token)
            tracing.arrived.reset(arrival)
