"""The ASGI application: routes, middleware, error pages, start-up and shut-down."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from palace.db import close_database, open_database
from palace.paths import STATIC_DIR
from palace.redis_client import close_redis, open_redis
from palace.services import throttle
from palace.settings import get_settings
from palace.web import (
    accounts,
    admin,
    bookings,
    calendars,
    closures,
    desk,
    health,
    home,
    rules,
    staff,
    staff_bookings,
)
from palace.web.auth import RequestContextMiddleware
from palace.web.csrf import CSRFMiddleware
from palace.web.errors import csrf_rejected, http_error, server_error
from palace.web.headers import SecurityHeadersMiddleware
from palace.web.logging import RequestLogMiddleware
from palace.web.session import SchemeAwareSessionMiddleware

log = logging.getLogger("palace.web")


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    settings = get_settings()
    await open_database(settings.database_url)
    await open_redis(settings.redis_url)
    throttle.open_throttle(settings.redis_url)
    log.info("Palace web started (time zone %s)", settings.timezone)
    try:
        yield
    finally:
        await close_redis()
        await close_database()


def create_app() -> Starlette:
    settings = get_settings()
    routes = [
        *home.routes,
        *accounts.routes,
        *bookings.routes,
        *calendars.routes,
        *desk.routes,
        *staff.routes,
        *rules.routes,
        *closures.routes,
        *staff_bookings.routes,
        *admin.routes,
        *health.routes,
        Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
    ]
    middleware = [
        Middleware(RequestLogMiddleware),
        Middleware(SecurityHeadersMiddleware),
        Middleware(SchemeAwareSessionMiddleware, secret_key=settings.secret_key),
        Middleware(RequestContextMiddleware),
        Middleware(CSRFMiddleware, reject=csrf_rejected),
    ]
    handlers = {HTTPException: http_error, 500: server_error}
    return Starlette(
        routes=routes,
        middleware=middleware,
        exception_handlers=handlers,
        lifespan=lifespan,
    )
