"""/healthz: database, Redis and the worker's last heartbeat, as JSON."""

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from palace.services import health
from palace.web.auth import public


@public
async def healthz(request: Request) -> Response:
    result = await health.check()
    body = {
        "status": "ok" if result.ok else "error",
        "database": vars(result.database),
        "redis": vars(result.redis),
        "worker": {
            "ok": result.worker_ok,
            "last_seen": result.worker_last_seen.isoformat() if result.worker_last_seen else None,
        },
    }
    return JSONResponse(body, status_code=200 if result.ok else 503)


routes = [Route("/healthz", healthz, methods=["GET"])]
