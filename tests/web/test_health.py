import httpx


async def test_healthz_reports_database_redis_and_worker(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["redis"]["ok"] is True
    # No worker has run in this test: the report says so rather than hiding it.
    assert body["worker"] == {"ok": False, "last_seen": None}
