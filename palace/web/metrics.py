"""/metrics for Prometheus, and the middleware that counts requests by route.

/metrics answers only addresses in PALACE_METRICS_ALLOW (default 127.0.0.1: a
Prometheus on the same machine) or a request bearing PALACE_METRICS_TOKEN; anyone else
gets 403. Behind a proxy the address is the one the proxy reports (X-Forwarded-For,
from PALACE_TRUSTED_PROXIES), so a member's request through the proxy is not "local".
"""

import hmac
import ipaddress
import logging
import time

from redis.exceptions import RedisError
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from palace import metrics
from palace.queue import QUEUE
from palace.redis_client import get_redis
from palace.settings import get_settings
from palace.web.auth import public

log = logging.getLogger("palace.web")
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# Requests no route took (a scanner's guesses) share one label, so they add no series.
UNMATCHED = "unmatched"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def allowed(request: Request) -> bool:
    """The scraper's address is allowed, or it bears the token."""
    settings = get_settings()
    token = settings.metrics_token
    given = request.headers.get("authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    try:
        address = ipaddress.ip_address(request.client.host if request.client else "")
    except ValueError:
        return False
    return any(address in network for network in settings.metrics_allow)


async def queue_depth() -> int | None:
    """Jobs in arq's queue (a sorted set), or None while Redis does not answer."""
    try:
        return int(await get_redis().zcard(QUEUE))
    except (RedisError, OSError) as error:
        log.warning("metrics: no queue depth: %s", error)
        return None


@public
async def scrape(request: Request) -> Response:
    if not allowed(request):
        return PlainTextResponse("Forbidden", status_code=403)
    body = metrics.exposition(await queue_depth())
    return Response(body, media_type=CONTENT_TYPE)


routes = [Route("/metrics", scrape, methods=["GET"])]


def route_of(scope: Scope) -> str:
    """The template of the route that answered (``/bookings/{booking_id:int}``)."""
    route = scope.get("route")
    return str(getattr(route, "path", "") or UNMATCHED)


class RequestMetricsMiddleware:
    """Counts each answered request by method, route template and status."""

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
            route = route_of(scope)
            method = scope["method"] if scope["method"] in METHODS else "other"
            metrics.REQUESTS.labels(method, route, str(status)).inc()
            metrics.REQUEST_SECONDS.labels(route).observe(time.perf_counter() - started)
