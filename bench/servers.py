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
                if (await client.get(f"{server.base_url}/healthz")).status_code == 200:
                    return
            await asyncio.sleep(0.2)
    raise RuntimeError(f"{server.name} did not answer /healthz within {START_SECONDS} s")


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
