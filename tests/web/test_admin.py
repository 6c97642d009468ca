import httpx

from palace.models import AuditEvent, Member, MemberStatus, Role
from tests.helpers import csrf_token, log_in, make_member, post_form


async def htmx_post(client: httpx.AsyncClient, path: str, data: dict[str, str]) -> httpx.Response:
    token = await csrf_token(client, "/admin/members")
    headers = {"X-CSRF-Token": token, "HX-Request": "true", "Origin": "http://testserver"}
    return await client.post(path, data=data, headers=headers)


async def test_admin_lists_and_finds_accounts(client: httpx.AsyncClient) -> None:
    admin = await make_member(role=Role.ADMIN, name="管理员甲")
    member = await make_member(name="赵小红")
    await log_in(client, admin)
    page = await client.get("/admin/members")
    assert "赵小红" in page.text and "管理员甲" in page.text
    found = await client.get("/admin/members", params={"q": member.card_no})
    assert f'id="member-{member.id}"' in found.text
    assert f'id="member-{admin.id}"' not in found.text


async def test_admin_changes_a_role_with_htmx(client: httpx.AsyncClient) -> None:
    admin = await make_member(role=Role.ADMIN)
    member = await make_member()
    await log_in(client, admin)
    response = await htmx_post(
        client, f"/admin/members/{member.id}", {"field": "role", "value": "desk"}
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith(f'<tr id="member-{member.id}"')
    assert '<option value="desk" selected>' in response.text
    assert (await Member.get(id=member.id)).role == Role.DESK
    event = await AuditEvent.get(entity_id=member.id, action="role_changed")
    assert (event.actor_id, event.from_state, event.to_state) == (admin.id, "member", "desk")


async def test_admin_changes_status_without_javascript(client: httpx.AsyncClient) -> None:
    admin = await make_member(role=Role.ADMIN)
    member = await make_member()
    await log_in(client, admin)
    response = await post_form(
        client,
        f"/admin/members/{member.id}",
        {"field": "status", "value": "suspended"},
        page="/admin/members",
    )
    assert response.status_code == 303
    assert "已保存。" in (await client.get("/admin/members")).text
    assert (await Member.get(id=member.id)).status == MemberStatus.SUSPENDED


async def test_admin_cannot_demote_themself(client: httpx.AsyncClient) -> None:
    admin = await make_member(role=Role.ADMIN)
    await log_in(client, admin)
    response = await htmx_post(
        client, f"/admin/members/{admin.id}", {"field": "role", "value": "member"}
    )
    assert response.status_code == 400
    assert "不能取消自己的管理员角色。" in response.text
    assert (await Member.get(id=admin.id)).role == Role.ADMIN


async def test_forged_admin_input_changes_nothing(client: httpx.AsyncClient) -> None:
    admin = await make_member(role=Role.ADMIN)
    member = await make_member()
    await log_in(client, admin)
    cases = [
        (f"/admin/members/{member.id}", {"field": "role", "value": "emperor"}, 400),
        (f"/admin/members/{member.id}", {"field": "password_hash", "value": "x"}, 400),
        (f"/admin/members/{member.id}", {}, 400),
        ("/admin/members/999999", {"field": "role", "value": "staff"}, 404),
        ("/admin/members/abc", {"field": "role", "value": "staff"}, 404),
        ("/admin/members/99999999999999999999", {"field": "role", "value": "staff"}, 404),
    ]
    for path, data, status in cases:
        response = await htmx_post(client, path, data)
        assert response.status_code == status, (path, data)
    assert (await Member.get(id=member.id)).role == Role.MEMBER
    assert await AuditEvent.filter(entity_id=member.id).count() == 1
