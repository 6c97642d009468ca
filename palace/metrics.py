"""Prometheus metrics: what the web and worker processes count, and the text /metrics serves.

Every process imports its counters from here. With PROMETHEUS_MULTIPROC_DIR set (``palace
serve`` and ``palace worker`` set it, see ``metrics_files``) each process writes its
counts to files of its own and a scrape adds up every process's files; without it (a
test, a lone process) the process's own counts are served.

The queue's depth is not counted by anyone: it is read from Redis when scraped.
"""

import functools
import inspect
import os
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime
from typing import Any, ParamSpec, TypeVar

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

P = ParamSpec("P")
T = TypeVar("T")

REQUESTS = Counter(
    "palace_http_requests",
    "HTTP requests answered, by method, route template (not the raw path) and status.",
    ["method", "route", "status"],
)
REQUEST_SECONDS = Histogram(
    "palace_http_request_duration_seconds",
    "Time to answer an HTTP request, by route template.",
    ["route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
BOOKINGS = Counter(
    "palace_booking_outcomes",
    "Calls of the booking core: operation (take or release), the place's source "
    "(member, desk, waitlist, ballot) and outcome (booked, a release's new status, "
    "or the refusal's code).",
    ["operation", "source", "outcome"],
)
PROMOTION_SECONDS = Histogram(
    "palace_promotion_latency_seconds",
    "From a place held for the waitlist to its booking or timed offer (promotion jobs).",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900),
)
JOB_FAILURES = Counter(
    "palace_job_failures",
    "Background jobs that ended with an error, by job (arq tries again up to max_tries).",
    ["job"],
)
DELIVERY_FAILURES = Counter(
    "palace_delivery_failures",
    "Messages a channel failed to deliver, by channel and whether it will try again.",
    ["channel", "final"],
)


def booking_outcomes(
    operation: str, *, source: str | None = None
) -> Callable[[Callable[P, Awaitable[T]]], Callable[P, Awaitable[T]]]:
    """Count each call of a booking-core function once, by how it ended.

    The source is ``source`` when given, else the call's ``source`` argument, else its
    ``booking``'s; a success is "booked", or the ``status`` a release sets; a refusal is
    its code.
    """

    def decorate(function: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
        signature = inspect.signature(function)

        @functools.wraps(function)
        async def counted(*args: P.args, **kwargs: P.kwargs) -> T:
            given = signature.bind_partial(*args, **kwargs).arguments
            label = source or _source_of(given)
            try:
                result = await function(*args, **kwargs)
            except Exception as error:
                BOOKINGS.labels(operation, label, str(getattr(error, "code", "error"))).inc()
                raise
            BOOKINGS.labels(operation, label, _label(given.get("status")) or "booked").inc()
            return result

        return counted

    return decorate


def _source_of(given: dict[str, Any]) -> str:
    return _label(given.get("source") or getattr(given.get("booking"), "source", None))


def _label(value: object) -> str:
    return "" if value is None else str(getattr(value, "value", value))


def observe_promotion(held_since: datetime | None) -> None:
    """One held place given to the line (booked or offered) now.

    ``held_since`` is when the promotion job was queued, just after the commit that held
    the place; promotions the sweep finds (a lost job) have no such time and are left out.
    """
    if held_since is not None:
        waited = (datetime.now(UTC) - held_since).total_seconds()
        PROMOTION_SECONDS.observe(max(waited, 0.0))


class _QueueDepth:
    """The jobs waiting in arq's queue, as read when scraped."""

    def __init__(self, depth: int | None) -> None:
        self.depth = depth

    def collect(self) -> Iterator[Metric]:
        gauge = GaugeMetricFamily(
            "palace_queue_depth", "Jobs waiting in the arq queue (deferred ones included)."
        )
        if self.depth is not None:
            gauge.add_metric([], self.depth)
        yield gauge


def exposition(queue_depth: int | None) -> bytes:
    """The Prometheus text of every process's counts, and the queue's depth."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry = REGISTRY
    extra = CollectorRegistry()
    extra.register(_QueueDepth(queue_depth))
    return generate_latest(registry) + generate_latest(extra)
