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
