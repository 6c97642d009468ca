"""The web servers the rush talks to: Palace and the bare baseline, each in its own group."""

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
START_SECONDS = 60
STOP_SECONDS = 15
PROBLEM_MARKERS = ("Traceback", "ERROR", "CRITICAL", "database is locked", "Exception")


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    base_url: str
    log_path: Path
    log_offset: int = 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(name: str, argv: list[str], env: dict[str, str], log_dir: Path) -> Server:
    """Start ``argv`` (which gets ``--port``) in its own session, output to a log file."""
    port = free_port()
    log_path = log_dir / f"{name}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [*argv, "--port", str(port)],
            env={**os.environ, **env},
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            # Its own process group: Ctrl-C reaches only us, and we stop the whole group.
            start_new_session=True,
        )
    return Server(name, process, f"http://127.0.0.1:{port}", log_path)


def palace_argv(processes: int) -> list[str]:
    return [sys.executable, "-m", "palace", "serve", "--workers", str(processes)]


def baseline_argv(processes: int) -> list[str]:
    app = "bench.baseline_app:create_app"
    quiet = ["--no-access-log", "--log-level", "warning"]
    return [sys.executable, "-m", "uvicorn", app, "--factory", "--workers", str(processes), *quiet]


async def wait_until_up(server: Server) -> None:
    deadline = time.monotonic() + START_SECONDS
    async with httpx.AsyncClient(timeout=2) as client:
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                raise RuntimeError(f"{server.name} exited:\n{server.log_path.read_text()}")
            with contextlib.suppress(httpx.TransportError):
                if _is_up(await client.get(f"{server.base_url}/healthz")):
                    return
            await asyncio.sleep(0.2)
    raise RuntimeError(f"{server.name} did not answer /healthz within {START_SECONDS} s")


def _is_up(response: httpx.Response) -> bool:
    """200; or Palace's 503 that only says no background worker has checked in yet (the
    PostgreSQL rush runs none: nothing in a booking waits for one)."""
    if response.status_code == 200:
        return True
    with contextlib.suppress(ValueError, AttributeError):
        health = response.json()
        return bool(health["database"]["ok"] and health["redis"]["ok"])
    return False


def stop(server: Server) -> None:
    if server.process.poll() is not None:
        return
    group = server.process.pid  # the group we created with start_new_session
    with contextlib.suppress(ProcessLookupError):
        os.killpg(group, signal.SIGTERM)
    try:
        server.process.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)
        server.process.wait()


def new_problems(server: Server) -> list[str]:
    """Log lines since the last call that look like errors (tracebacks, 5xx causes)."""
    with server.log_path.open("rb") as log:
        log.seek(server.log_offset)
        text = log.read().decode("utf-8", "replace")
        server.log_offset = log.tell()
    return [line for line in text.splitlines() if any(m in line for m in PROBLEM_MARKERS)]


def cpu_seconds(server: Server) -> float:
    """CPU time used so far by the server's process and all its children (Linux /proc)."""
    return sum(_own_cpu(pid) for pid in _family(server.process.pid))


def _family(pid: int) -> list[int]:
    found = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError):
            for child in task.read_text().split():
                found.extend(_family(int(child)))
    return found


def _own_cpu(pid: int) -> float:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat.rsplit(")", 1)[1].split()
    # utime and stime are fields 14 and 15 of the line, in clock ticks.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(server: Server) -> list[float]:
    """Resident memory of each process serving requests, in MB: uvicorn's workers (spawned
    by multiprocessing), or the one server process; a background worker is left out."""
    family = _family(server.process.pid)
    serving = [pid for pid in family if b"spawn_main" in _cmdline(pid)]
    return [_rss_kb(pid) / 1024 for pid in serving or [server.process.pid]]


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU ticks of the whole machine since boot, from /proc/stat."""
    values = [float(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle and iowait
    total = sum(values[:8])  # guest time is already counted in user
    return total - idle, total


@dataclass
class Meter:
    """CPU used by one server and by the whole machine between start() and stop()."""

    server: Server
    server_cpu_s: float = 0.0
    machine_busy_pct: float = 0.0  # of all CPUs together
    _marks: tuple[float, float, float] = (0.0, 0.0, 0.0)

    def start(self) -> None:
        self._marks = (cpu_seconds(self.server), *machine_busy())

    def stop(self) -> None:
        cpu, busy, total = self._marks
        now_busy, now_total = machine_busy()
        self.server_cpu_s = cpu_seconds(self.server) - cpu
        self.machine_busy_pct = 100 * (now_busy - busy) / max(now_total - total, 1.0)
