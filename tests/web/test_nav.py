"""The menu offers exactly the pages a role may open, read from the pages' declarations."""

import re

import httpx
import pytest

from palace.models import Role
from palace.web import desk
from palace.web.auth import ACCESS_ATTR
from tests.helpers import log_in, make_member
from tests.web.test_access import PAGES

TABS = [
    "/",
    "/book",
    "/classes",
    "/bookings",
    "/inbox",
    "/desk",
    "/staff",
    "/admin/members",
    "/account",
]


def tabs(html: str) -> list[str]:
    menu = html[html.index('<nav class="tabs') : html.index("</nav>")]
    return re.findall(r'href="([^"]+)"', menu)


@pytest.mark.parametrize("role", list(Role))
async def test_each_role_sees_the_tabs_it_may_open(client: httpx.AsyncClient, role: Role) -> None:
    await log_in(client, await make_member(role=role))
    allowed = [path for path in TABS if PAGES[path] is None or role in PAGES[path]]
    assert tabs((await client.get("/account")).text) == allowed


async def test_visitors_see_log_in_and_register(client: httpx.AsyncClient) -> None:
    assert tabs((await client.get("/")).text) == ["/", "/login", "/register"]


async def test_the_menu_follows_a_changed_declaration(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    await log_in(client, await make_member(role=Role.DESK))
    assert "/desk" in tabs((await client.get("/account")).text)
    monkeypatch.setattr(desk.lookup, ACCESS_ATTR, frozenset({Role.ADMIN}))
    assert "/desk" not in tabs((await client.get("/account")).text)


async def test_the_current_tab_is_marked(client: httpx.AsyncClient) -> None:
    await log_in(client, await make_member())
    html = (await client.get("/account/password")).text
    assert '<a href="/account" aria-current="page">' in html
    assert html.count('aria-current="page"') == 1
