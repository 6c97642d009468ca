"""The members: every request fired at once from one or more client processes, each timed.

Client processes are separate from the bench's own process (which holds the ORM), get
their share of the requests ready, then all start on one signal.
"""

import asyncio
import multiprocessing
import os
import statistics
import time
from collections import Counter
from dataclasses import dataclass
from http.cookiejar import CookieJar, DefaultCookiePolicy
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event

import httpx

EXPECTED = (200, 409)
TIMEOUT = httpx.Timeout(120.0)
READY_SECONDS = 120


@dataclass(frozen=True)
class Request:
    url: str
    form: dict[str, str]
    headers: dict[str, str]


@dataclass(frozen=True)
class Outcome:
    status: int  # 0 when no response came at all
    started: float  # time.monotonic(): one clock for every process on the machine
    ended: float
    note: str = ""  # the error, or the start of an unexpected response


@dataclass(frozen=True)
class Figures:
    requests: int
    ok: int
    taken: int
    others: Counter[str]
    p50_ms: float
    p99_ms: float
    max_ms: float
    throughput: float  # requests per second of wall time
    wall_s: float
    client_cpu_s: float


def rush(requests: list[Request], processes: int) -> tuple[list[Outcome], float]:
    """Fire all ``requests`` at once; returns the outcomes and the clients' CPU seconds."""
    ctx = multiprocessing.get_context("spawn")
    ready: Queue[int] = ctx.Queue()
    results: Queue[tuple[list[Outcome], float]] = ctx.Queue()
    go = ctx.Event()
    shares = [requests[i::processes] for i in range(processes)]
    workers = [ctx.Process(target=_member_process, args=(s, ready, go, results)) for s in shares]
    for worker in workers:
        worker.start()
    try:
        for _ in workers:
            ready.get(timeout=READY_SECONDS)
        go.set()
        collected = [results.get() for _ in workers]
    finally:
        for worker in workers:
            worker.join(timeout=5)
            if worker.is_alive():
                worker.terminate()
    outcomes = [outcome for share, _ in collected for outcome in share]
    return outcomes, sum(cpu for _, cpu in collected)


def _member_process(
    share: list[Request],
    ready: "Queue[int]",
    go: Event,
    results: "Queue[tuple[list[Outcome], float]]",
) -> None:
    results.put(asyncio.run(_fire(share, ready, go)))


async def _fire(
    share: list[Request], ready: "Queue[int]", go: Event
) -> tuple[list[Outcome], float]:
    # Each request carries its member's cookie; the client must not keep any of its own.
    no_cookies = CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=None)
    async with httpx.AsyncClient(limits=limits, timeout=TIMEOUT, cookies=no_cookies) as client:
        ready.put(os.getpid())
        await asyncio.to_thread(go.wait)
        cpu = time.process_time()
        outcomes = await asyncio.gather(*(_send(client, request) for request in share))
        return list(outcomes), time.process_time() - cpu


async def _send(client: httpx.AsyncClient, request: Request) -> Outcome:
    started = time.monotonic()
    try:
        response = await client.post(request.url, data=request.form, headers=request.headers)
    except httpx.HTTPError as error:
        return Outcome(0, started, time.monotonic(), f"{type(error).__name__}: {error}")
    ended = time.monotonic()
    note = "" if response.status_code in EXPECTED else response.text[:300]
    return Outcome(response.status_code, started, ended, note)


def figures(outcomes: list[Outcome], client_cpu_s: float) -> Figures:
    latencies = sorted((o.ended - o.started) * 1000 for o in outcomes)
    percentiles = statistics.quantiles(latencies, n=100, method="inclusive")
    wall = max(o.ended for o in outcomes) - min(o.started for o in outcomes)
    statuses = Counter(o.status for o in outcomes)
    others = Counter(_label(o) for o in outcomes if o.status not in EXPECTED)
    return Figures(
        requests=len(outcomes),
        ok=statuses[200],
        taken=statuses[409],
        others=others,
        p50_ms=percentiles[49],
        p99_ms=percentiles[98],
        max_ms=latencies[-1],
        throughput=len(outcomes) / wall,
        wall_s=wall,
        client_cpu_s=client_cpu_s,
    )


def _label(outcome: Outcome) -> str:
    name = str(outcome.status) if outcome.status else "no response"
    return f"{name}: {outcome.note.strip()[:120]}" if outcome.note else name
