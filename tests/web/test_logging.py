import logging
import re
import subprocess
import sys

import httpx
import pytest

from palace.web.logging import LOG_FORMAT, ZonedFormatter
from tests.helpers import log_in, make_member


async def test_each_request_is_logged_with_status_and_member(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    member = await make_member()
    await log_in(client, member)
    with caplog.at_level(logging.INFO, logger="palace.request"):
        await client.get("/account")
        await client.get("/nowhere")
    lines = [r.getMessage() for r in caplog.records if r.name == "palace.request"]
    assert any('"GET /account" 200' in line and f"member={member.id}" in line for line in lines)
    assert any('"GET /nowhere" 404' in line for line in lines)


def test_log_times_say_their_zone() -> None:
    record = logging.LogRecord("palace.request", logging.INFO, __file__, 1, "GET /", None, None)
    record.created = 1796518800.25  # 2026-12-06 01:00:00.250 UTC, 09:00 at the palace
    line = ZonedFormatter(LOG_FORMAT).format(record)
    assert line.startswith("2026-12-06T01:00:00.250+00:00 INFO palace.request: GET /")


def test_the_command_line_logs_with_zoned_times(capfd: pytest.CaptureFixture[str]) -> None:
    code = (
        "import logging; from palace import cli; cli._setup_logging(); "
        "logging.getLogger('palace.worker').warning('hello')"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    err = capfd.readouterr().err
    zoned = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00 WARNING palace.worker: hello"
    assert re.match(zoned, err), err


async def test_a_request_id_from_the_proxy_is_kept_and_echoed(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="palace.request"):
        response = await client.get("/login", headers={"X-Request-ID": "proxy-4f2a9c1e"})
    assert response.headers["x-request-id"] == "proxy-4f2a9c1e"
    line = next(r for r in caplog.records if r.name == "palace.request")
    assert line.request_id == "proxy-4f2a9c1e"  # type: ignore[attr-defined]


@pytest.mark.parametrize("sent", [None, "short", "x" * 129, "evil\nline-injected", "a b c d e f g"])
async def test_a_missing_or_malformed_request_id_is_replaced(
    client: httpx.AsyncClient, sent: str | None
) -> None:
    headers = {} if sent is None else {"X-Request-ID": sent}
    response = await client.get("/login", headers=headers)
    given = response.headers["x-request-id"]
    assert given != sent and re.fullmatch(r"[0-9a-f]{32}", given)
    again = await client.get("/login", headers=headers)
    assert again.headers["x-request-id"] != given  # one per request


def test_json_lines_carry_the_request_and_job_ids() -> None:
    import json

    from palace import tracing
    from palace.web.logging import JsonFormatter

    tracing.install_log_records()
    request = tracing.current.set("req-0123456789")
    job = tracing.job.set("deliver:42")
    try:
        record = logging.getLogger("palace.worker").makeRecord(
            "palace.worker", logging.INFO, __file__, 1, "job %s started", ("deliver",), None
        )
    finally:
        tracing.job.reset(job)
        tracing.current.reset(request)
    record.created = 1796518800.25
    entry = json.loads(JsonFormatter().format(record))
    assert entry == {
        "time": "2026-12-06T01:00:00.250+00:00",
        "level": "INFO",
        "logger": "palace.worker",
        "message": "job deliver started",
        "request_id": "req-0123456789",
        "job": "deliver:42",
    }
    text = ZonedFormatter(LOG_FORMAT).format(record)
    assert text.endswith("job deliver started [request_id=req-0123456789 job=deliver:42]")


def test_an_unknown_log_format_is_refused() -> None:
    code = "from palace import cli; cli.main(['migrate'])"
    env = {**__import__("os").environ, "PALACE_LOG_FORMAT": "xml"}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert done.returncode == 2 and "PALACE_LOG_FORMAT must be one of text, json" in done.stderr
