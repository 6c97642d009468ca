"""/healthz: database, Redis and the worker's last heartbeat, as JSON.

503 when any of them is missing, including a worker that has not checked in for
three minutes (background work has stopped). The public sees which part is wrong,
never the error's text: that goes to the log.
"""

import logging

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from palace.services.core import health
from palace.web.auth import public

log = logging.getLogger("palace.web")


def _public(name: str, check: health.Check) -> dict[str, object]:
    if check.error:
        log.error("health check: %s: %s", name, check.error)
    return {"ok": check.ok, "latency_ms": check.latency_ms}


@public
async def healthz(request: Request) -> Response:
    result = await health.check()
    body = {
        "status": "ok" if result.ok else "error",
        "database": _public("database", result.database),
        "redis": _public("redis", result.redis),
        "worker": {
            "ok": result.worker_ok,
            "last_seen": result.worker_last_seen.isoformat() if result.worker_last_seen else None,
        },
    }
    return JSONResponse(body, status_code=200 if result.ok else 503)


routes = [Route("/healthz", healthz, methods=["GET"])]
