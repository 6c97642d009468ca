import httpx


async def test_pages_forbid_framing_and_foreign_scripts(client: httpx.AsyncClient) -> None:
    for path in ("/", "/login", "/no-such-page"):
        headers = (await client.get(path)).headers
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert "script-src 'self'" in headers["content-security-policy"]
        assert headers["x-frame-options"] == "DENY"
        assert headers["x-content-type-options"] == "nosniff"
