"""The processes of the production topology, on this machine and loopback only: a
PostgreSQL and a Redis of the bench's own (never the machine's shared ones), web
processes and workers restarted when they die (as systemd's ``Restart=always`` does),
and nginx in front, configured from deploy/nginx.
"""

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench import proxy
from bench.servers import ROOT, free_port

RESTART_SECONDS = 1.0  # systemd's RestartSec in deploy/systemd is 2; shorter keeps it brief


def postgres_bin() -> Path:
    """The newest /usr/lib/postgresql/<version>/bin that has initdb."""
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name)
    )
    if not found:
        raise RuntimeError("no /usr/lib/postgresql/*/bin/initdb: apt-get install postgresql")
    return found[-1].parent


def _as_postgres() -> list[str]:
    # PostgreSQL refuses to run as root: run its programs as the system's postgres user.
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


@dataclass
class Postgres:
    directory: Path
    port: int = field(default_factory=free_port)

    @property
    def data(self) -> Path:
        return self.directory / "data"

    def _run(self, *argv: str) -> None:
        done = subprocess.run([*_as_postgres(), *argv], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{Path(argv[0]).name} failed: {done.stderr or done.stdout}")

    def init(self) -> None:
        self.directory.mkdir(parents=True)
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")
            # The postgres user must pass through the bench's own (private) folder.
            self.directory.parent.chmod(0o711)
        initdb = str(postgres_bin() / "initdb")
        self._run(initdb, "-D", str(self.data), "-U", "postgres", "--auth=trust",
                  "-E", "UTF8", "--no-sync", "--locale=C.UTF-8")  # fmt: skip
        self.start()

    def _ctl(self, *argv: str) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.directory} "
            "-c max_connections=200"
        )
        log = str(self.directory / "postgres.log")
        ctl = str(postgres_bin() / "pg_ctl")
        self._run(ctl, *argv, "-D", str(self.data), "-l", log, "-o", options, "-w", "-t", "60")

    def start(self) -> None:
        self._ctl("start")

    def restart(self) -> None:
        """A fast restart: open connections are cut, transactions in flight roll back."""
        self._ctl("restart", "-m", "fast")

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            with contextlib.suppress(RuntimeError):
                self._ctl("stop", "-m", "immediate")

    @property
    def admin_url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"


@dataclass
class Process:
    """One long-running program, started again by ``supervise`` when it has died."""

    name: str
    argv: list[str]
    log_path: Path
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = None
    died_at: float | None = None
    restarts: int = 0

    def start(self) -> None:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                self.argv, env={**os.environ, **self.env}, cwd=ROOT,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        self.died_at = None

    def kill(self) -> None:
        """SIGKILL, to the process and anything it started: nothing gets to clean up."""
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def supervise(self, now: float) -> None:
        if self.process is None or self.process.poll() is None:
            return
        if self.died_at is None:
            self.died_at = now
        elif now - self.died_at >= RESTART_SECONDS:
            self.restarts += 1
            self.start()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()


def redis_process(directory: Path, port: int) -> Process:
    argv = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", "no", "--dir", str(directory)]  # fmt: skip
    return Process("redis", argv, directory / "redis.log", {})


def web_process(n: int, port: int, env: dict[str, str], directory: Path) -> Process:
    argv = [sys.executable, "-m", "palace", "serve", "--host", "127.0.0.1", "--port", str(port)]
    return Process(f"web{n}", argv, directory / f"web{n}.log", env)


def worker_process(n: int, env: dict[str, str], directory: Path) -> Process:
    argv = [sys.executable, "-m", "palace", "worker"]
    return Process(f"worker{n}", argv, directory / f"worker{n}.log", env)


def wait_for_port(port: int, seconds: float = 30) -> None:
    import socket

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            return
        time.sleep(0.1)
    raise RuntimeError(f"nothing answers on 127.0.0.1:{port} after {seconds:.0f} s")


@dataclass
class Stack:
    directory: Path
    web_count: int = 2
    worker_count: int = 2
    postgres: Postgres = field(init=False)
    redis_port: int = field(default_factory=free_port)
    proxy_port: int = field(default_factory=free_port)
    redis: Process = field(init=False)
    webs: list[Process] = field(default_factory=list)
    workers: list[Process] = field(default_factory=list)
    nginx: proxy.Proxy = field(init=False)

    def __post_init__(self) -> None:
        self.postgres = Postgres(self.directory / "pg")
        self.redis = redis_process(self.directory, self.redis_port)
        (self.directory / "nginx").mkdir()
        self.nginx = proxy.Proxy(self.directory / "nginx")

    def start_stores(self) -> None:
        self.postgres.init()
        self.redis.start()
        wait_for_port(self.redis_port)

    def start_palace(self, env: dict[str, str]) -> None:
        ports = [free_port() for _ in range(self.web_count)]
        self.webs = [web_process(n, p, env, self.directory) for n, p in enumerate(ports, 1)]
        self.workers = [
            worker_process(n, env, self.directory) for n in range(1, self.worker_count + 1)
        ]
        for item in (*self.webs, *self.workers):
            item.start()
        for port in ports:
            wait_for_port(port, 60)
        upstreams = [f"127.0.0.1:{port}" for port in ports]
        self.nginx.start(upstreams=upstreams, listen=f"127.0.0.1:{self.proxy_port}")

    def supervise(self) -> None:
        now = time.monotonic()
        for item in (*self.webs, *self.workers):
            item.supervise(now)

    def restart_redis(self) -> None:
        """Redis goes away and comes back empty: every queued job and counter is lost."""
        self.redis.stop()
        self.redis.start()
        wait_for_port(self.redis_port)

    def close(self) -> None:
        self.nginx.stop()
        for item in (*self.webs, *self.workers):
            item.stop()
        self.redis.stop()
        self.postgres.stop()
