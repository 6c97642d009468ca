import httpx


async def test_pages_forbid_framing_and_foreign_scripts(client: httpx.AsyncClient) -> None:
    for path in ("/", "/login", "/no-such-page"):
        headers = (await client.get(path)).headers
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert "script-src 'self'" in headers["content-security-policy"]
        assert headers["x-frame-options"] == "DENY"
        assert headers["x-content-type-options"] == "nosniff"


async def test_pages_of_a_logged_in_member_are_not_cached(client: httpx.AsyncClient) -> None:
    from tests.helpers import log_in, make_member

    assert "cache-control" not in (await client.get("/")).headers
    await log_in(client, await make_member())
    response = await client.get("/account")
    assert response.headers["cache-control"] == "no-store"
    assert "HX-Request" in response.headers["vary"]
