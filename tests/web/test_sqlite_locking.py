"""Two processes writing at once (web server and another) never surface "database is locked"."""

import asyncio

import httpx

from palace.models import Member, MemberStatus, Role
from palace.services.accounts import admin
from tests.helpers import PASSWORD, csrf_from, make_member
from tests.processes import web_server


async def _log_in(client: httpx.AsyncClient, member: Member) -> str:
    token = csrf_from((await client.get("/login")).text)
    data = {"login": member.card_no, "password": PASSWORD, "csrf_token": token}
    response = await client.post("/login", data=data, headers={"Origin": str(client.base_url)})
    assert response.status_code == 303
    return csrf_from((await client.get("/admin/members")).text)


async def _flip_statuses(admin_id: int, member_ids: list[int], rounds: int) -> None:
    """Read-then-write transactions from this process while the server writes too."""
    for n in range(rounds):
        for member_id in member_ids:
            status = MemberStatus.SUSPENDED if n % 2 == 0 else MemberStatus.ACTIVE
            asked = admin.Asked("status", status.value, "测试")
            await admin.apply(actor_id=admin_id, member_id=member_id, asked=asked)


async def test_web_and_another_process_write_together() -> None:
    admin = await make_member(role=Role.ADMIN)
    members = [await make_member() for _ in range(8)]
    with web_server() as base:
        async with httpx.AsyncClient(base_url=base, timeout=60) as client:
            token = await _log_in(client, admin)
            headers = {"X-CSRF-Token": token, "HX-Request": "true", "Origin": base}

            async def change(member: Member, role: str) -> int:
                data = {"field": "role", "value": role, "reason": "测试", "confirmed": "1"}
                response = await client.post(
                    f"/admin/members/{member.id}", data=data, headers=headers
                )
                return response.status_code

            async def changes(member: Member) -> list[int]:
                # One member's changes in order: sent together, a later one could land
                # first and find nothing to change (400), which is not what this tests.
                return [await change(member, role) for role in ("desk", "staff", "member")]

            local = _flip_statuses(admin.id, [m.id for m in members], rounds=6)
            *answers, _ = await asyncio.gather(*(changes(m) for m in members), local)
    statuses = [status for member_answers in answers for status in member_answers]
    assert statuses == [303] * 3 * len(members)
    for member in await Member.filter(id__in=[m.id for m in members]):
        assert member.status == MemberStatus.ACTIVE
