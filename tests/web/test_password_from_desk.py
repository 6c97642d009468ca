"""A password the front desk hands out must be replaced at the member's next log-in."""

import httpx

from palace.models import Member, Role
from tests.helpers import log_in, make_member, post_form, visible_text


async def test_a_desk_password_must_be_changed_before_anything_else(
    client: httpx.AsyncClient,
) -> None:
    desk = await make_member(role=Role.DESK)
    member = await make_member()
    await log_in(client, desk)
    done = await post_form(client, f"/desk/members/{member.id}/password", {}, page="/desk")
    temporary = done.text.split('id="temporary-password">')[1].split("<")[0]
    await post_form(client, "/logout", {}, page="/")

    response = await post_form(client, "/login", {"login": member.card_no, "password": temporary})
    assert response.headers["location"] == "/account/password"
    for path in ("/bookings", "/book", "/account"):
        response = await client.get(path)
        assert (response.status_code, response.headers["location"]) == (303, "/account/password")
    hx = await client.get("/bookings", headers={"HX-Request": "true"})
    assert hx.headers["hx-redirect"] == "/account/password"
    page = await client.get("/account/password")
    assert "前台为您设置了临时密码" in visible_text(page.text)

    new = {"current_password": temporary, "new_password": "my-own-words-9"}
    changed = await post_form(
        client, "/account/password", {**new, "confirm_password": new["new_password"]}, page="/"
    )
    assert changed.status_code == 303
    assert (await client.get("/bookings")).status_code == 200
    assert not (await Member.get(id=member.id)).must_change_password
