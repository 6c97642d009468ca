"""/healthz: database, Redis and the worker's last heartbeat, as JSON; /readyz: may this
web process take requests (the database and Redis answer).

/healthz is 503 when any of them is missing, including a worker that has not checked in
for three minutes (background work has stopped). /readyz leaves the worker out: a proxy
or orchestrator asks it before sending members to this process, which serves them
without a worker. The public sees which part is wrong, never the error's text: that
goes to the log.
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


@public
async def readyz(request: Request) -> Response:
    database, redis = await health.check_database(), await health.check_redis()
    ready = database.ok and redis.ok
    body = {
        "status": "ok" if ready else "error",
        "database": _public("database", database),
        "redis": _public("redis", redis),
    }
    return JSONResponse(body, status_code=200 if ready else 503)


routes = [
    Route("/healthz", healthz, methods=["GET"]),
    Route("/readyz", readyz, methods=["GET"]),
]
