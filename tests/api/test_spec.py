"""The OpenAPI document: generated from the code, committed, served, with a local docs
page; every API route is declared with who may call it."""

import json
import re

import httpx
from starlette.applications import Starlette
from starlette.routing import Mount, Route

from palace.api.app import OPERATIONS
from palace.api.operations import Operation
from palace.api.spec import COMMITTED, text
from palace.paths import STATIC_DIR
from tests.api.helpers import API

REGENERATE = ".venv/bin/python -m palace.api.spec"


def test_the_committed_document_is_the_codes() -> None:
    assert COMMITTED.read_text() == text(OPERATIONS), f"out of date: run {REGENERATE}"


def test_every_operation_has_its_own_id() -> None:
    """OpenAPI requires operationIds to be unique (client generators name methods by them),
    and the routes are named after them too."""
    names = [op.name for op in OPERATIONS]
    assert sorted(n for n in names if names.count(n) > 1) == []


async def test_the_document_is_served_as_openapi_3_1(client: httpx.AsyncClient) -> None:
    answer = await client.get(f"{API}/openapi.json")
    assert answer.status_code == 200
    document = answer.json()
    assert document["openapi"] == "3.1.0"
    assert document == json.loads(COMMITTED.read_text())
    operations = [op for path in document["paths"].values() for op in path.values()]
    assert len(operations) == len(OPERATIONS)


def _api_routes(app: Starlette) -> list[Route]:
    mount = next(r for r in app.routes if isinstance(r, Mount) and r.path == API)
    return [r for r in mount.routes if isinstance(r, Route)]


def test_every_api_route_declares_who_may_call_it(app: Starlette) -> None:
    declared = {(op.method, op.path) for op in OPERATIONS}
    for route in _api_routes(app):
        if route.path in ("/openapi.json", "/docs"):
            continue  # the document itself, for anyone
        owner = getattr(route.endpoint, "__self__", None)
        assert isinstance(owner, Operation), route.path
        assert (owner.method, owner.path) in declared
    public = [op.path for op in OPERATIONS if op.scopes is None]
    assert public == ["/auth/token", "/ballots/{ballot_id}/draw", "/verify-draw",
                      "/queues/{queue_id}/draw"]  # fmt: skip


async def test_the_docs_page_loads_nothing_from_elsewhere(client: httpx.AsyncClient) -> None:
    page = await client.get(f"{API}/docs")
    assert page.status_code == 200
    assert not re.search(r"(src|href)=\"(https?:)?//", page.text)
    for path in re.findall(r"(?:src|href)=\"/static/([^\"?]+)", page.text):
        assert (STATIC_DIR / path).is_file(), path
    # Swagger UI's default asks validator.swagger.io about the document: turned off.
    assert "validatorUrl: null" in (STATIC_DIR / "api-docs.js").read_text()
    assert "default-src 'self'" in page.headers["content-security-policy"]


async def test_unknown_api_addresses_answer_json(client: httpx.AsyncClient) -> None:
    missing = await client.get(f"{API}/no/such/thing", headers={"Accept-Language": "en"})
    assert missing.status_code == 404
    assert missing.json() == {"code": "not_found",
                              "detail": "That does not exist, or it is not yours."}  # fmt: skip
    wrong = await client.put(f"{API}/halls")
    assert wrong.status_code == 405 and wrong.json()["code"] == "method_not_allowed"
