"""The members: every request fired at once from one or more client processes, each timed.

Client processes are separate from the bench's own process (which holds the ORM), get
their share of the requests ready, then all start on one signal. Each request is sent
as prepared bytes over its own connection (a member's phone, not a shared pool): httpx
spends about 5 ms of CPU per request, which on a small machine would measure the client.
"""

import asyncio
import multiprocessing
import os
import queue
import signal
import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event
from typing import TypeVar
from urllib.parse import urlencode, urlsplit

import uvloop

T = TypeVar("T")
EXPECTED = (200, 409)
TIMEOUT_SECONDS = 120
READY_SECONDS = 120


@dataclass(frozen=True)
class Request:
    host: str
    port: int
    raw: bytes  # the whole HTTP/1.1 request, "Connection: close"


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
    server_cpu_s: float = 0.0
    machine_busy_pct: float = 0.0  # of all CPUs, while the rush ran


def form_post(url: str, form: dict[str, str], headers: dict[str, str]) -> Request:
    """A url-encoded form POST, ready to write to a socket."""
    parts = urlsplit(url)
    body = urlencode(form).encode()
    lines = [
        f"POST {parts.path} HTTP/1.1",
        f"Host: {parts.netloc}",
        "Content-Type: application/x-www-form-urlencoded",
        f"Content-Length: {len(body)}",
        "Connection: close",
        *(f"{name}: {value}" for name, value in headers.items()),
    ]
    head = "\r\n".join(lines).encode("latin-1") + b"\r\n\r\n"
    return Request(parts.hostname or "127.0.0.1", parts.port or 80, head + body)


def get(url: str, headers: dict[str, str]) -> Request:
    """A GET, ready to write to a socket."""
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    lines = [
        f"GET {target} HTTP/1.1",
        f"Host: {parts.netloc}",
        "Connection: close",
        *(f"{name}: {value}" for name, value in headers.items()),
    ]
    head = "\r\n".join(lines).encode("latin-1") + b"\r\n\r\n"
    return Request(parts.hostname or "127.0.0.1", parts.port or 80, head)


@dataclass(frozen=True)
class Loop:
    """A closed loop: ``clients`` users, each sending its next request once the last one
    is answered, for ``seconds``. Without it every request is fired at once (a rush)."""

    clients: int
    seconds: float


def rush(
    requests: list[Request],
    processes: int,
    hooks: tuple[Callable[[], None], Callable[[], None]],
    abort: threading.Event,
    loop: Loop | None = None,
) -> tuple[list[Outcome], float]:
    """Fire all ``requests`` at once (or in a closed ``loop``, cycling through them);
    returns the outcomes and the clients' CPU seconds.

    ``hooks`` run just before the signal and just after the last answer. Blocking: run it
    in a thread, and set ``abort`` to stop it (the client processes are then ended).
    """
    ctx = multiprocessing.get_context("spawn")
    ready: Queue[int] = ctx.Queue()
    results: Queue[tuple[list[Outcome], float]] = ctx.Queue()
    go = ctx.Event()
    shares = [requests[i::processes] for i in range(processes)]
    loops = [_share_of(loop, i, processes) for i in range(processes)]
    workers = [
        ctx.Process(target=_member_process, args=(share, ready, go, results, part))
        for share, part in zip(shares, loops, strict=True)
    ]
    for worker in workers:
        worker.start()
    try:
        _gather(ready, workers, abort, READY_SECONDS)
        hooks[0]()
        go.set()
        collected = _gather(results, workers, abort, TIMEOUT_SECONDS + READY_SECONDS)
        hooks[1]()
    finally:
        for worker in workers:
            worker.join(timeout=1)
            if worker.is_alive():
                worker.terminate()
    outcomes = [outcome for share, _ in collected for outcome in share]
    return outcomes, sum(cpu for _, cpu in collected)


def _gather(
    source: "Queue[T]", workers: Sequence[BaseProcess], abort: threading.Event, seconds: float
) -> list[T]:
    """One item from each worker; gives up when aborted, when one dies, or after ``seconds``."""
    found: list[T] = []
    deadline = time.monotonic() + seconds
    while len(found) < len(workers):
        if abort.is_set() or time.monotonic() > deadline:
            raise RuntimeError("rush aborted" if abort.is_set() else "client processes too slow")
        try:
            found.append(source.get(timeout=0.2))
        except queue.Empty:
            if any(worker.exitcode not in (None, 0) for worker in workers):
                raise RuntimeError("a client process died") from None
    return found


def _share_of(loop: Loop | None, index: int, processes: int) -> Loop | None:
    if loop is None:
        return None
    return Loop(len(range(index, loop.clients, processes)), loop.seconds)


def _member_process(
    share: list[Request],
    ready: "Queue[int]",
    go: Event,
    results: "Queue[tuple[list[Outcome], float]]",
    loop: Loop | None = None,
) -> None:
    # Ctrl-C reaches the whole process group: the parent decides, and ends us if need be.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    results.put(uvloop.run(_fire(share, ready, go, loop)))


async def _fire(
    share: list[Request], ready: "Queue[int]", go: Event, loop: Loop | None
) -> tuple[list[Outcome], float]:
    ready.put(os.getpid())
    await asyncio.to_thread(go.wait)
    cpu = time.process_time()
    if loop is None:
        outcomes = list(await asyncio.gather(*(_send(request) for request in share)))
    else:
        outcomes = await _closed_loop(share, loop)
    return outcomes, time.process_time() - cpu


async def _closed_loop(share: list[Request], loop: Loop) -> list[Outcome]:
    """Each client sends the share's requests in turn, one at a time, until time is up."""
    deadline = time.monotonic() + loop.seconds
    outcomes: list[Outcome] = []

    async def client(first: int) -> None:
        n = first
        while time.monotonic() < deadline:
            outcomes.append(await _send(share[n % len(share)]))
            n += loop.clients

    await asyncio.gather(*(client(i) for i in range(loop.clients)))
    return outcomes


async def _send(request: Request) -> Outcome:
    started = time.monotonic()
    try:
        async with asyncio.timeout(TIMEOUT_SECONDS):
            reader, writer = await asyncio.open_connection(request.host, request.port)
            writer.write(request.raw)
            answer = await reader.read()  # to the end: the server closes after answering
            writer.close()
    except (OSError, TimeoutError) as error:
        return Outcome(0, started, time.monotonic(), f"{type(error).__name__}: {error}")
    ended = time.monotonic()
    status = _status(answer)
    note = "" if status in EXPECTED else _body(answer)[:300]
    return Outcome(status, started, ended, note)


def _status(answer: bytes) -> int:
    """The status code of "HTTP/1.1 409 Conflict ...", or 0 for a cut-off answer."""
    fields = answer.split(b" ", 2)
    return int(fields[1]) if len(fields) > 1 and fields[1].isdigit() else 0


def _body(answer: bytes) -> str:
    return answer.partition(b"\r\n\r\n")[2].decode("utf-8", "replace") or "(empty answer)"


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
