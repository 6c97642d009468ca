"""Nothing a user can type or forge answers 500: too long for a column, NUL bytes, or a bug."""

import httpx
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from palace.models import Member, Role
from palace.web.auth import public
from tests.helpers import log_in, make_member, post_form, visible_text


async def test_a_login_too_long_for_any_card_is_a_wrong_login_and_counts(
    client: httpx.AsyncClient,
) -> None:
    for login in ["A" * 21, "1" * 30, "卡" * 60]:
        response = await post_form(client, "/login", {"login": login, "password": "x" * 8})
        assert response.status_code == 400, login
        assert "卡号、手机号或密码不正确。" in visible_text(response.text)
    for _ in range(6):  # the same unknown account: the sixth try is throttled
        response = await post_form(client, "/login", {"login": "B" * 25, "password": "x" * 8})
    assert response.status_code == 429


async def test_desk_and_admin_search_take_any_length(client: httpx.AsyncClient) -> None:
    await log_in(client, await make_member(role=Role.ADMIN))
    for query in ["A" * 21, "1" * 40, "Z9" * 20, "x" * 60]:
        for path in ("/desk", "/admin/members"):
            response = await client.get(path, params={"q": query})
            assert response.status_code == 200, (path, query)


async def test_forged_paths_are_not_found(client: httpx.AsyncClient) -> None:
    await log_in(client, await make_member())
    for path in ["/book/" + "b" * 41, "/book/%00", "/book/a%00b", "/calendar/%00.ics"]:
        response = await client.get(path)
        assert response.status_code == 404, path
        assert "页面不存在。" in visible_text(response.text)
    for path in ["/bookings/%00", "/calendar/" + "t" * 65 + ".ics"]:
        assert (await client.get(path)).status_code == 404, path


async def test_nul_in_a_query_is_not_an_error(client: httpx.AsyncClient) -> None:
    await log_in(client, await make_member(role=Role.ADMIN))
    for path in ["/desk?q=%00", "/admin/members?q=1%00", "/?x=%01", "/staff?day=%00"]:
        assert (await client.get(path)).status_code == 200, path
    response = await client.get("/desk/scan?code=a%00")
    assert response.status_code == 400
    assert "这不是有效的文化宫预约码。" in visible_text(response.text)


async def test_a_value_too_long_for_its_column_is_a_400_page() -> None:
    from palace.web.app import create_app

    @public
    async def lookup(request: Request) -> Response:
        await Member.get_or_none(card_no=request.query_params["card"])
        return Response("found")

    app = create_app()
    app.router.routes.append(Route("/lookup", lookup))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.get("/lookup", params={"card": "9" * 21})
        assert response.status_code == 400
        assert "无法处理该请求。" in visible_text(response.text)
        assert response.headers["cache-control"] == "no-store"
        response = await client.get("/lookup", params={"card": "a\x00"})
        assert response.status_code in (200, 400)  # PostgreSQL refuses NUL, SQLite finds nobody


@public
async def _broken(request: Request) -> Response:
    raise RuntimeError("a bug")


async def test_an_unexpected_error_is_a_500_page_with_every_header() -> None:
    from palace.web.app import create_app

    app = create_app()
    app.router.routes.append(Route("/broken", _broken))
    # The transport raises whatever the app lets through, as a server would log and hang up.
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.get("/broken")
    assert response.status_code == 500
    assert "系统出现问题，请稍后再试。" in visible_text(response.text)
    assert response.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
