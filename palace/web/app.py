"""The ASGI application: routes, middleware, error pages, start-up and shut-down."""

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.routing import Mount, Route

from palace import queue
from palace.api.app import CookielessMiddleware, create_api
from palace.db import close_database, open_database
from palace.paths import STATIC_DIR
from palace.redis_client import close_redis, open_redis
from palace.services.accounts import throttle
from palace.services.core.errors import ServiceError
from palace.settings import get_settings
from palace.web import (
    accounts,
    admin,
    api_tokens,
    attendance,
    audit,
    ballot_setup,
    ballots,
    bookings,
    calendars,
    checkin,
    class_planning,
    class_setup,
    classes,
    closures,
    data_rights,
    deliveries,
    desk,
    health,
    home,
    inbox,
    metrics,
    partners,
    queues,
    rules,
    staff,
    staff_bookings,
    static,
    strikes,
    templating,
    waitlists,
)
from palace.web.auth import RequestContextMiddleware
from palace.web.csrf import CSRFMiddleware
from palace.web.errors import (
    ErrorPageMiddleware,
    csrf_rejected,
    http_error,
    server_error,
    service_error,
)
from palace.web.guard import InputGuardMiddleware
from palace.web.headers import SecurityHeadersMiddleware
from palace.web.logging import RequestLogMiddleware
from palace.web.session import SchemeAwareSessionMiddleware
from palace.web.static import VersionedStaticFiles

log = logging.getLogger("palace.web")


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    settings = get_settings()
    await open_database(settings.database_url)
    await open_redis(settings.redis_url)
    # Jobs go to the queue after their transaction commits (services.after_commit).
    queue.open_queue(settings.redis_url)
    throttle.open_throttle(settings.redis_url)
    # What start-up made (modules, templates' environments, the ORM's metadata) lives
    # as long as the process: left to the collector, each full collection walked all of
    # it again, a pause of around 100 ms on this machine with every request waiting.
    # Templates and locale data would otherwise be made by the first requests, after the
    # freeze, and every full collection would walk them again.
    templating.warm_up()
    gc.collect()
    gc.freeze()
    log.info("Palace web started (time zone %s)", settings.timezone)
    try:
        yield
    finally:
        await queue.close_queue()
        await close_redis()
        await close_database()


def create_app() -> Starlette:
    settings = get_settings()
    routes = [
        *home.routes,
        *accounts.routes,
        *api_tokens.routes,
        *data_rights.routes,
        *bookings.routes,
        *partners.routes,
        *classes.routes,
        *calendars.routes,
        *waitlists.routes,
        *ballots.routes,
        *queues.routes,
        *ballot_setup.routes,
        *inbox.routes,
        *desk.routes,
        *checkin.routes,
        *staff.routes,
        *rules.routes,
        *closures.routes,
        *class_planning.routes,
        *class_setup.routes,
        *staff_bookings.routes,
        *strikes.routes,
        *attendance.routes,
        *audit.routes,
        *deliveries.routes,
        *admin.routes,
        *health.routes,
        *metrics.routes,
        Route("/favicon.ico", static.favicon, methods=["GET"]),
        Mount("/api/v1", create_api(), name="api"),
        Mount(static.PREFIX, VersionedStaticFiles(directory=STATIC_DIR), name="static"),
    ]
    middleware = [
        Middleware(RequestLogMiddleware),
        # The JSON API reads bearer tokens only: no cookie reaches it (palace/api/app.py).
        Middleware(CookielessMiddleware),
        Middleware(metrics.RequestMetricsMiddleware),
        # Pages carry secrets (the CSRF token, a feed address) beside text from the address
        # bar; a BREACH guess needs the victim's browser to send many cross-site requests
        # with the session cookie, which SameSite=Lax withholds from such requests.
        Middleware(GZipMiddleware, minimum_size=500),
        Middleware(SecurityHeadersMiddleware),
        # A forged Host would otherwise end up in addresses the app writes out (the
        # calendar feed's): refused with 400, before any session or database work.
        Middleware(TrustedHostMiddleware, allowed_hosts=settings.allowed_hosts, www_redirect=False),
        Middleware(ErrorPageMiddleware),
        Middleware(SchemeAwareSessionMiddleware, secret_key=settings.secret_key),
        Middleware(RequestContextMiddleware),
        Middleware(InputGuardMiddleware),
        Middleware(CSRFMiddleware, reject=csrf_rejected),
    ]
    # A coded error a handler lets through is answered in one place (web.errors).
    handlers = {HTTPException: http_error, ServiceError: service_error, 500: server_error}
    return Starlette(
        routes=routes,
        middleware=middleware,
        exception_handlers=handlers,
        lifespan=lifespan,
    )
