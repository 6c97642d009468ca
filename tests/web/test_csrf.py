import httpx
import pytest

from palace.models import Member, Role
from tests.helpers import csrf_token, log_in, make_member

NEW = {"card_no": "66001234", "name": "周敏", "phone": "13912345678", "password": "river-walk-88"}


async def test_post_without_token_is_refused_and_changes_nothing(client: httpx.AsyncClient) -> None:
    await client.get("/register")
    response = await client.post("/register", data=NEW)
    assert response.status_code == 403
    assert "表单已过期或并非来自本站" in response.text
    assert await Member.all().count() == 0


async def test_post_with_a_wrong_token_is_refused(client: httpx.AsyncClient) -> None:
    await csrf_token(client)
    response = await client.post("/register", data={**NEW, "csrf_token": "forged"})
    assert response.status_code == 403
    assert await Member.all().count() == 0


async def test_token_from_another_session_is_refused(client: httpx.AsyncClient) -> None:
    stranger = httpx.AsyncClient(transport=client._transport, base_url=client.base_url)
    stolen = await csrf_token(stranger)
    await csrf_token(client)
    response = await client.post("/register", data={**NEW, "csrf_token": stolen})
    assert response.status_code == 403


async def test_foreign_origin_is_refused_even_with_the_token(client: httpx.AsyncClient) -> None:
    token = await csrf_token(client)
    headers = {"Origin": "https://evil.example"}
    response = await client.post("/register", data={**NEW, "csrf_token": token}, headers=headers)
    assert response.status_code == 403
    assert await Member.all().count() == 0


async def test_cross_site_fetch_metadata_is_refused(client: httpx.AsyncClient) -> None:
    token = await csrf_token(client)
    headers = {"Sec-Fetch-Site": "cross-site"}
    response = await client.post("/register", data={**NEW, "csrf_token": token}, headers=headers)
    assert response.status_code == 403


async def test_htmx_header_token_is_accepted(client: httpx.AsyncClient) -> None:
    admin = await make_member(role=Role.ADMIN)
    member = await make_member()
    await log_in(client, admin)
    token = await csrf_token(client, "/admin/members")
    headers = {"X-CSRF-Token": token, "HX-Request": "true", "Origin": "http://testserver"}
    change = {"field": "role", "value": "staff", "reason": "new planner", "confirmed": "1"}
    response = await client.post(f"/admin/members/{member.id}", data=change, headers=headers)
    assert response.status_code == 303
    assert (await Member.get(id=member.id)).role == Role.STAFF


async def test_logout_needs_the_token_too(client: httpx.AsyncClient) -> None:
    member = await make_member()
    await log_in(client, member)
    assert (await client.post("/logout")).status_code == 403
    assert (await client.get("/account")).status_code == 200


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
async def test_every_unsafe_method_needs_the_token(client: httpx.AsyncClient, method: str) -> None:
    await csrf_token(client)
    response = await client.request(method, "/account")
    assert response.status_code == 403


async def test_oversized_body_is_refused(client: httpx.AsyncClient) -> None:
    token = await csrf_token(client)
    data = {**NEW, "csrf_token": token, "name": "x" * (2 * 1024 * 1024)}
    response = await client.post("/register", data=data)
    assert response.status_code == 413
    assert await Member.all().count() == 0


async def test_htmx_request_without_token_shows_the_error_in_the_main_area(
    client: httpx.AsyncClient,
) -> None:
    await csrf_token(client)
    response = await client.post("/language", data={"lang": "en"}, headers={"HX-Request": "true"})
    assert response.status_code == 403
    assert response.headers["hx-retarget"] == "#main"
    assert "<html" not in response.text
    assert "表单已过期" in response.text


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        ("http://testserver", True),
        ("http://testserver:80", True),
        ("HTTP://TestServer", True),
        ("https://testserver", False),
        ("http://testserver:8080", False),
        ("http://testserver.evil.example", False),
        ("null", False),
    ],
)
async def test_origin_must_be_this_site(
    client: httpx.AsyncClient, origin: str, allowed: bool
) -> None:
    token = await csrf_token(client)
    data = {"lang": "en", "next": "/", "csrf_token": token}
    response = await client.post("/language", data=data, headers={"Origin": origin})
    assert (response.status_code == 303) is allowed


async def test_same_site_but_not_same_origin_is_refused(client: httpx.AsyncClient) -> None:
    token = await csrf_token(client)
    data = {"lang": "en", "next": "/", "csrf_token": token}
    response = await client.post("/language", data=data, headers={"Sec-Fetch-Site": "same-site"})
    assert response.status_code == 403
