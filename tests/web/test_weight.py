"""Pages and static files are light: compressed, cached for long under versioned addresses."""

import re
from pathlib import Path

import httpx
import pytest

from palace.web import static
from tests.helpers import log_in, make_hall, make_member

GZIP = {"Accept-Encoding": "gzip"}


async def test_pages_and_static_files_are_served_compressed(client: httpx.AsyncClient) -> None:
    await make_hall()
    await log_in(client, await make_member())
    for path in ("/", "/book/badminton", "/static/app.css", "/static/vendor/htmx.min.js"):
        response = await client.get(path, headers=GZIP)
        assert response.status_code == 200, path
        assert response.headers["content-encoding"] == "gzip", path


async def test_static_addresses_are_versioned_and_cached_for_a_year(
    client: httpx.AsyncClient,
) -> None:
    page = (await client.get("/")).text
    addresses = re.findall(r'(?:href|src)="(/static/[^"]+)"', page)
    assert len(addresses) >= 5  # icon, two style sheets, two scripts
    for address in addresses:
        assert re.search(r"\?v=[0-9a-f]{12}$", address), address
        response = await client.get(address)
        assert response.status_code == 200, address
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    unversioned = await client.get("/static/app.css")
    assert unversioned.headers["cache-control"] == "no-cache"


def test_a_changed_file_gets_a_new_address(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(static, "STATIC_DIR", tmp_path)
    static.version.cache_clear()
    (tmp_path / "app.css").write_text("body { color: red }")
    before = static.static_url("app.css")
    (tmp_path / "app.css").write_text("body { color: blue }")
    static.version.cache_clear()  # a new release starts new processes
    after = static.static_url("app.css")
    static.version.cache_clear()
    assert before.startswith("/static/app.css?v=") and after != before


async def test_there_is_a_favicon(client: httpx.AsyncClient) -> None:
    page = (await client.get("/login")).text
    assert re.search(r'<link rel="icon" href="/static/favicon\.svg\?v=', page)
    response = await client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert response.text.startswith("<svg")
