import logging

import httpx
import pytest

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
