"""A real arq worker process runs jobs; /healthz shows when it last checked in."""

import contextlib
import os
import sys
import time
import uuid
from pathlib import Path

import httpx
from arq import create_pool
from arq.connections import RedisSettings

from palace.settings import get_settings
from tests.processes import palace, web_server
from workers.main import QUEUE


async def test_burst_worker_runs_the_heartbeat_job(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json()["worker"]["last_seen"] is None
    pool = await create_pool(RedisSettings.from_dsn(get_settings().redis_url))
    job = await pool.enqueue_job("heartbeat", _queue_name=QUEUE, _job_id=f"hb-{uuid.uuid4()}")
    assert job is not None
    result = palace("worker", "--burst", timeout=60)
    assert result.returncode == 0, result.stderr
    info = await job.result_info()
    await pool.aclose()
    assert info is not None and info.success
    worker = (await client.get("/healthz")).json()["worker"]
    assert worker["ok"] is True and worker["last_seen"] is not None


def test_healthz_says_503_when_redis_is_gone() -> None:
    command = [sys.executable, "-m", "uvicorn", "palace.web.app:create_app", "--factory"]
    with web_server(command=command, env={"PALACE_REDIS_URL": "redis://127.0.0.1:9/0"}) as base:
        response = httpx.get(f"{base}/healthz", timeout=10)
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["database"]["ok"] is True
    assert body["redis"]["ok"] is False
    # Which part is down, never the error's text (hosts, ports, library messages).
    assert "error" not in body["redis"] and "Connect" not in response.text


def _workers_of_this_run() -> list[int]:
    """Worker processes started with this test run's settings (found through /proc)."""
    found = []
    marker = f"PALACE_VAR_DIR={os.environ['PALACE_VAR_DIR']}".encode()
    for proc in Path("/proc").glob("[0-9]*"):
        with contextlib.suppress(OSError):
            argv = (proc / "cmdline").read_bytes().split(b"\0")
            if argv[-3:-1] == [b"palace", b"worker"] and marker in (proc / "environ").read_bytes():
                found.append(int(proc.name))
    return found


def test_serve_with_worker_starts_a_worker_and_stops_it() -> None:
    command = [sys.executable, "-m", "palace", "serve", "--with-worker"]
    with web_server(command=command) as base:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            worker = httpx.get(f"{base}/healthz", timeout=5).json()["worker"]
            if worker["ok"]:
                break
            time.sleep(0.2)
        assert worker["ok"] is True
        assert len(_workers_of_this_run()) == 1
    deadline = time.monotonic() + 10
    while _workers_of_this_run() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _workers_of_this_run() == []


async def test_log_in_still_works_while_redis_is_away() -> None:
    """Redis carries hints (here: the throttle); a member is not locked out without it."""
    from tests.helpers import PASSWORD, csrf_from, make_member

    member = await make_member()
    command = [sys.executable, "-m", "uvicorn", "palace.web.app:create_app", "--factory"]
    with web_server(command=command, env={"PALACE_REDIS_URL": "redis://127.0.0.1:9/0"}) as base:
        async with httpx.AsyncClient(base_url=base) as client:
            token = csrf_from((await client.get("/login")).text)
            data = {"login": member.card_no, "password": PASSWORD, "csrf_token": token}
            response = await client.post("/login", data=data, headers={"Origin": base})
            assert response.status_code == 303
            assert (await client.get("/account")).status_code == 200


async def test_worker_purges_old_logins() -> None:
    from datetime import UTC, datetime, timedelta

    from palace.models import LoginSession
    from palace.services.accounts import logins
    from tests.helpers import make_member

    member = await make_member()
    token = await logins.start(member_id=member.id)
    await logins.end(token=token)
    await LoginSession.all().update(ended_at=datetime.now(UTC) - timedelta(days=90))
    pool = await create_pool(RedisSettings.from_dsn(get_settings().redis_url))
    await pool.enqueue_job("purge_logins", _queue_name=QUEUE, _job_id=f"purge-{uuid.uuid4()}")
    await pool.aclose()
    result = palace("worker", "--burst", timeout=60)
    assert result.returncode == 0, result.stderr
    assert await LoginSession.all().count() == 0


async def test_log_in_does_not_hang_on_a_redis_that_never_answers() -> None:
    """A Redis that accepts connections and then says nothing (a stuck server)."""
    import asyncio

    from palace.services.accounts import accounts, throttle
    from tests.helpers import PASSWORD, make_member

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(30)

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    member = await make_member()
    throttle.open_throttle(f"redis://127.0.0.1:{port}/0")
    try:
        # A generous bound that only a hang reaches: the throttle gives up after a second.
        await asyncio.wait_for(
            accounts.authenticate(login=member.card_no, password=PASSWORD, address="x"), 30
        )
    finally:
        throttle.open_throttle(get_settings().redis_url)
        server.close()


def test_serve_with_worker_starts_a_worker_that_died_again() -> None:
    import signal

    from tests.processes import wait_for

    command = [sys.executable, "-m", "palace", "serve", "--with-worker"]
    with web_server(command=command) as base:
        wait_for(lambda: len(_workers_of_this_run()) == 1, what="the first worker")
        [first] = _workers_of_this_run()
        os.kill(first, signal.SIGKILL)
        wait_for(
            lambda: _workers_of_this_run() not in ([], [first]), seconds=60, what="a new worker"
        )
        assert first not in _workers_of_this_run()
        wait_for(lambda: httpx.get(f"{base}/healthz", timeout=5).status_code == 200)
    wait_for(lambda: _workers_of_this_run() == [], seconds=15, what="the worker to stop")


def test_ctrl_c_stops_serve_with_worker_without_starting_another() -> None:
    """A terminal's Ctrl-C goes to the whole foreground process group: the server and,
    unless kept apart, its worker. Shutting down is no reason to start another worker."""
    import signal
    import subprocess
    import tempfile

    from tests.processes import free_port, wait_for

    port = free_port()
    command = [sys.executable, "-m", "palace", "serve", "--with-worker", "--port", str(port)]
    with tempfile.TemporaryFile("w+") as log:
        server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, text=True,
                                  start_new_session=True)  # fmt: skip
        try:
            wait_for(lambda: len(_workers_of_this_run()) == 1, what="the worker")
            wait_for(lambda: _answers(f"http://127.0.0.1:{port}/healthz"), what="the server")
            # Kept out of the server's process group, so the Ctrl-C reaches the server only.
            assert os.getpgid(_workers_of_this_run()[0]) != os.getpgid(server.pid)
            os.killpg(server.pid, signal.SIGINT)  # what the terminal does
            server.wait(timeout=30)
        finally:
            if server.poll() is None:
                server.kill()
        wait_for(lambda: _workers_of_this_run() == [], seconds=15, what="the worker to stop")
        log.seek(0)
        output = log.read()
    assert "starting another" not in output, output


def _answers(url: str) -> bool:
    with contextlib.suppress(httpx.TransportError):
        return httpx.get(url, timeout=2).status_code < 500
    return False


def test_a_killed_server_leaves_no_worker_behind() -> None:
    """The worker has a process group of its own (see the Ctrl-C test), so nothing but
    the server's death may end it when the server is killed outright."""
    import signal
    import subprocess

    from tests.processes import free_port, wait_for

    command = [sys.executable, "-m", "palace", "serve", "--with-worker", "--port", str(free_port())]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: len(_workers_of_this_run()) == 1, what="the worker")
        os.kill(server.pid, signal.SIGKILL)
        server.wait(timeout=30)
    finally:
        if server.poll() is None:
            server.kill()
    wait_for(lambda: _workers_of_this_run() == [], seconds=15, what="the orphaned worker to stop")
