"""The database away for a moment (a restart, a fail-over) is a 503 to retry, not a 500."""

import httpx
import pytest
from asyncpg.exceptions import CannotConnectNowError
from tortoise.exceptions import OperationalError

from palace.services.booking import booking_views
from tests.helpers import log_in, make_member


@pytest.mark.parametrize("htmx", [False, True])
async def test_a_restarting_database_is_a_503_to_retry(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, htmx: bool
) -> None:
    await log_in(client, await make_member())

    async def restarting(**_: object) -> None:
        try:
            raise CannotConnectNowError("the database system is shutting down")
        except CannotConnectNowError as exc:
            raise OperationalError(exc) from exc

    monkeypatch.setattr(booking_views, "member_bookings", restarting)
    headers = {"HX-Request": "true"} if htmx else {}
    answer = await client.get("/bookings", headers=headers)
    assert answer.status_code == 503
    assert answer.headers["retry-after"] == "3"
    assert "预约系统正在重新启动，请过几秒再试。" in answer.text


async def test_an_unexpected_error_is_still_a_500(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    await log_in(client, await make_member())

    async def broken(**_: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(booking_views, "member_bookings", broken)
    answer = await client.get("/bookings")
    assert answer.status_code == 500 and "retry-after" not in answer.headers
