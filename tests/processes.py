"""Run real Palace processes (CLI, web server, worker) against this test run's database."""

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from typing import IO

import httpx


def palace(
    *args: str, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "palace", *args],
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def web_server(
    *, command: list[str] | None = None, env: dict[str, str] | None = None
) -> Iterator[str]:
    """A real web server process on a free port; yields its base URL.

    Its output goes to a file (a pipe nobody reads would block a busy server)
    and is printed when the test fails, so pytest shows it.
    """
    port = free_port()
    argv = command or [sys.executable, "-m", "palace", "serve"]
    with tempfile.TemporaryFile("w+") as log:
        process = subprocess.Popen(
            [*argv, "--port", str(port)],
            env={**os.environ, **(env or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(base, process, log)
            yield base
        except BaseException:
            log.seek(0)
            print(f"--- output of the server on port {port} ---\n{log.read()[-20000:]}")
            raise
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def _wait_until_up(base: str, process: subprocess.Popen[str], log: IO[str]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"server exited with {process.returncode}:\n{log.read()}")
        with contextlib.suppress(httpx.TransportError):
            httpx.get(f"{base}/healthz", timeout=2)
            return
        time.sleep(0.1)
    raise RuntimeError("server did not start within 30 s")


class PrivateRedis:
    """A redis-server of the test's own on a free port, to stop and start at will.

    The machine's shared Redis is never stopped; tests that need Redis to go away
    point the code under test at one of these.
    """

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port)):
                return
            time.sleep(0.05)
        raise RuntimeError("private redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def __enter__(self) -> "PrivateRedis":
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def wait_for(condition: Callable[[], bool], *, seconds: float = 60, what: str = "") -> None:
    """Wait until something another process does has happened (no fixed sleeps)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or condition}")
        time.sleep(0.05)


def start_worker(
    *, redis_url: str, burst: bool, log: IO[str] | None = None
) -> subprocess.Popen[str]:
    """A ``palace worker`` process on this run's database and the given Redis."""
    argv = [sys.executable, "-m", "palace", "worker", *(["--burst"] if burst else [])]
    return subprocess.Popen(
        argv,
        env={**os.environ, "PALACE_REDIS_URL": redis_url},
        stdout=log or subprocess.DEVNULL,
        stderr=subprocess.STDOUT if log else subprocess.DEVNULL,
        text=True,
    )
