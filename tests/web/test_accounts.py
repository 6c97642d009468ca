import httpx
import pytest

from palace.models import Member, Role
from palace.models.members import NAME_MAX
from tests.helpers import PASSWORD, log_in, make_member, post_form, visible_text

NEW = {"card_no": "66001234", "name": "周敏", "phone": "13912345678", "password": "river-walk-88"}


async def test_register_logs_in_and_welcomes(client: httpx.AsyncClient) -> None:
    response = await post_form(client, "/register", NEW, page="/register")
    assert response.status_code == 303
    home = await client.get("/")
    assert "您好，周敏" in home.text
    assert "欢迎！您的账户已创建。" in home.text
    member = await Member.get(card_no="66001234")
    assert member.password_hash.startswith("$argon2id$")


async def test_register_with_bad_fields_keeps_input_and_says_why(client: httpx.AsyncClient) -> None:
    bad = {**NEW, "phone": "12", "password": "123"}
    response = await post_form(client, "/register", bad, page="/register")
    assert response.status_code == 400
    text = visible_text(response.text)
    assert "请输入 11 位手机号码" in text
    assert "密码至少需要 8 个字符" in text
    assert 'value="66001234"' in response.text and 'value="周敏"' in response.text
    assert "123" not in response.text.split('name="password"')[1].split(">")[0]
    assert await Member.all().count() == 0


async def test_the_name_field_and_the_check_share_one_limit(client: httpx.AsyncClient) -> None:
    form = await client.get("/register")
    name_input = form.text.split('id="name"')[1].split(">")[0]
    assert f'maxlength="{NAME_MAX}"' in name_input
    longest = "名" * NAME_MAX
    too_long = {**NEW, "name": longest + "字", "password": "x"}
    response = await post_form(client, "/register", too_long, page="/register")
    text = visible_text(response.text)
    assert f"姓名最多 {NAME_MAX} 个字符" in text and "密码至少需要 8 个字符" in text
    response = await post_form(client, "/register", {**NEW, "name": longest}, page="/register")
    assert response.status_code == 303
    assert (await Member.get(card_no=NEW["card_no"])).name == longest


async def test_register_duplicate_card_in_english(client: httpx.AsyncClient) -> None:
    await post_form(client, "/register", NEW, page="/register")
    other = httpx.AsyncClient(transport=client._transport, base_url=client.base_url)
    await post_form(other, "/language", {"lang": "en", "next": "/register"})
    response = await post_form(
        other, "/register", {**NEW, "phone": "13900000000"}, page="/register"
    )
    assert response.status_code == 400
    assert "This card number is already registered" in response.text
    assert await Member.all().count() == 1


async def test_login_wrong_password_then_right(client: httpx.AsyncClient) -> None:
    member = await make_member()
    wrong = await post_form(client, "/login", {"login": member.card_no, "password": "nope-nope"})
    assert wrong.status_code == 400
    assert "卡号、手机号或密码不正确。" in wrong.text
    assert f'value="{member.card_no}"' in wrong.text
    right = await post_form(client, "/login", {"login": member.card_no, "password": PASSWORD})
    assert right.status_code == 303 and right.headers["location"] == "/"


async def test_sixth_wrong_password_gets_429(client: httpx.AsyncClient) -> None:
    member = await make_member()
    statuses = []
    for _ in range(6):
        response = await post_form(
            client, "/login", {"login": member.card_no, "password": "x-x-x-x-x"}
        )
        statuses.append(response.status_code)
    assert statuses == [400] * 5 + [429]
    assert "失败次数过多" in response.text
    assert 0 < int(response.headers["retry-after"]) <= 60


async def test_login_returns_to_the_page_asked_for(client: httpx.AsyncClient) -> None:
    member = await make_member()
    first = await client.get("/account")
    assert first.status_code == 303
    assert first.headers["location"] == "/login?next=%2Faccount"
    login_page = await client.get(first.headers["location"])
    assert 'name="next" value="/account"' in login_page.text
    data = {"login": member.card_no, "password": PASSWORD, "next": "/account"}
    response = await post_form(client, "/login", data)
    assert response.headers["location"] == "/account"


@pytest.mark.parametrize(
    "target", ["//evil.example/x", "https://evil.example/", "/\\evil", "javascript:alert(1)"]
)
async def test_login_never_redirects_off_site(client: httpx.AsyncClient, target: str) -> None:
    member = await make_member()
    data = {"login": member.card_no, "password": PASSWORD, "next": target}
    response = await post_form(client, "/login", data)
    assert response.headers["location"] == "/"


async def test_logout_ends_the_session(client: httpx.AsyncClient) -> None:
    member = await make_member()
    await log_in(client, member)
    copied_cookie = client.cookies["palace_session"]
    response = await post_form(client, "/logout", {}, page="/")
    assert response.status_code == 303
    page = await client.get(response.headers["location"])
    assert "您已退出登录。" in page.text
    assert (await client.get("/account")).status_code == 303
    # A copy of the cookie taken before logging out (a shared desk PC) is dead too.
    replay = httpx.AsyncClient(transport=client._transport, base_url=client.base_url)
    replay.cookies.set("palace_session", copied_cookie)
    assert (await replay.get("/account")).status_code == 303


async def test_logout_keeps_the_chosen_language(client: httpx.AsyncClient) -> None:
    member = await make_member(language="en")
    await log_in(client, member)
    response = await post_form(client, "/logout", {}, page="/")
    page = await client.get(response.headers["location"])
    assert "You have logged out." in page.text


async def test_nul_bytes_in_what_a_visitor_types_are_not_an_error(
    client: httpx.AsyncClient,
) -> None:
    from palace.models import Role

    response = await post_form(client, "/login", {"login": "ab\x00cd", "password": "x\x00"})
    assert response.status_code == 400
    await log_in(client, await make_member(role=Role.ADMIN))
    for path in ("/desk", "/admin/members"):
        assert (await client.get(path, params={"q": "a\x00b"})).status_code == 200


async def test_change_password_logs_out_other_devices(client: httpx.AsyncClient) -> None:
    member = await make_member()
    other = httpx.AsyncClient(transport=client._transport, base_url=client.base_url)
    await log_in(client, member)
    await log_in(other, member)
    data = {
        "current_password": PASSWORD,
        "new_password": "new-garden-31",
        "confirm_password": "new-garden-31",
    }
    response = await post_form(client, "/account/password", data, page="/account/password")
    assert response.status_code == 303
    assert (await client.get("/account")).status_code == 200
    assert (await other.get("/account")).status_code == 303


async def test_change_password_mismatch_changes_nothing(client: httpx.AsyncClient) -> None:
    member = await make_member()
    await log_in(client, member)
    data = {
        "current_password": PASSWORD,
        "new_password": "new-garden-31",
        "confirm_password": "new-garden-32",
    }
    response = await post_form(client, "/account/password", data, page="/account/password")
    assert response.status_code == 400
    assert "两次输入的新密码不一致。" in response.text
    assert (await Member.get(id=member.id)).password_hash == member.password_hash


async def test_language_switch_is_remembered_for_the_member(client: httpx.AsyncClient) -> None:
    member = await make_member()
    await log_in(client, member)
    response = await post_form(client, "/language", {"lang": "en", "next": "/account"}, page="/")
    assert response.headers["location"] == "/account"
    assert "My account" in (await client.get("/account")).text
    assert (await Member.get(id=member.id)).language == "en"
    # A new device logs in and gets English straight away.
    fresh = httpx.AsyncClient(transport=client._transport, base_url=client.base_url)
    await log_in(fresh, member)
    assert "My account" in (await fresh.get("/account")).text


async def test_unknown_language_changes_nothing(client: httpx.AsyncClient) -> None:
    response = await post_form(client, "/language", {"lang": "fr", "next": "/"}, page="/")
    assert response.status_code == 303
    page = await client.get("/")
    assert "不支持该语言。" in page.text
    assert 'lang="zh-CN"' in page.text


async def test_session_cookie_flags(app: object) -> None:
    for scheme, secure in (("http", False), ("https", True)):
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url=f"{scheme}://testserver") as c:
            header = (await c.get("/login")).headers["set-cookie"].lower()
        assert header.startswith("palace_session=")
        assert "httponly" in header and "samesite=lax" in header
        assert ("secure" in header) is secure


@pytest.mark.parametrize(
    ("role", "start"),
    [
        (Role.MEMBER, "/"),
        (Role.DESK, "/desk/scan"),
        (Role.STAFF, "/staff"),
        (Role.ADMIN, "/admin/members"),
    ],
)
async def test_each_role_lands_on_its_own_start_page(
    client: httpx.AsyncClient, role: Role, start: str
) -> None:
    member = await make_member(role=role)
    landed = await post_form(client, "/login", {"login": member.card_no, "password": PASSWORD})
    assert landed.status_code == 303 and landed.headers["location"] == start
    assert (await client.get(start)).status_code == 200
    # Logged in already, the log-in page sends them on to the same place.
    assert (await client.get("/login")).headers["location"] == start
    await post_form(client, "/logout", {}, page="/")
    # A page asked for still wins, and a foreign one falls back to the start page.
    data = {"login": member.card_no, "password": PASSWORD, "next": "/account"}
    assert (await post_form(client, "/login", data)).headers["location"] == "/account"
    await post_form(client, "/logout", {}, page="/")
    data["next"] = "//evil.example/x"
    assert (await post_form(client, "/login", data)).headers["location"] == start
