"""Run real Palace processes (CLI, web server, worker) against this test run's database."""

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
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
