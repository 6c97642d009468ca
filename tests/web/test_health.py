import time

import httpx
import pytest
import redis.asyncio

from palace.redis_client import get_redis
from palace.services.core import health


async def test_healthz_reports_database_redis_and_worker(client: httpx.AsyncClient) -> None:
    await health.record_worker_heartbeat()
    response = await client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["redis"]["ok"] is True
    assert body["worker"]["ok"] is True


async def test_healthz_is_503_when_no_worker_checked_in_for_three_minutes(
    client: httpx.AsyncClient,
) -> None:
    never = await client.get("/healthz")
    assert never.status_code == 503 and never.json()["worker"] == {"ok": False, "last_seen": None}
    stale = time.time() - health.HEARTBEAT_STALE_SECONDS - 5
    await get_redis().set(health.HEARTBEAT_KEY, str(stale))
    response = await client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error" and body["worker"]["ok"] is False
    assert body["database"]["ok"] is True and body["redis"]["ok"] is True
    await get_redis().set(health.HEARTBEAT_KEY, str(time.time() - 60))
    assert (await client.get("/healthz")).status_code == 200


async def test_readyz_is_200_while_database_and_redis_answer_even_without_a_worker(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["database"]["ok"] and body["redis"]["ok"]
    assert "worker" not in body


async def test_readyz_is_503_when_redis_does_not_answer(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from palace import redis_client
    from tests.processes import free_port

    # A Redis nobody listens on (the shared one is never stopped).
    nowhere = redis.asyncio.Redis.from_url(f"redis://127.0.0.1:{free_port()}/0")
    monkeypatch.setattr(redis_client, "get_redis", lambda: nowhere)
    monkeypatch.setattr(health, "get_redis", lambda: nowhere)
    response = await client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error" and body["redis"]["ok"] is False
    assert body["database"]["ok"] is True
    assert "Error" not in response.text  # the error's text goes to the log only
    await nowhere.aclose()


async def test_readyz_is_503_when_the_database_does_not_answer(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken() -> health.Check:
        return health.Check(False, 0.1, "OperationalError: connection refused")

    monkeypatch.setattr(health, "check_database", broken)
    response = await client.get("/readyz")
    assert response.status_code == 503 and response.json()["database"]["ok"] is False
