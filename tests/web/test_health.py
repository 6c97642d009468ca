import time

import httpx

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
