import httpx
import pytest

from palace.models import Role
from tests.helpers import log_in, make_member


async def test_desk_finds_a_member_by_card_phone_or_name(client: httpx.AsyncClient) -> None:
    await log_in(client, await make_member(role=Role.DESK))
    member = await make_member(name="孙丽")
    for query in (member.card_no, member.phone, "孙丽"):
        response = await client.get("/desk", params={"q": query})
        assert "孙丽" in response.text, query
    # The phone number is shown masked at the desk.
    assert member.phone not in response.text
    assert f"{member.phone[:3]}****{member.phone[-4:]}" in response.text


async def test_desk_search_as_a_fragment_for_htmx(client: httpx.AsyncClient) -> None:
    await log_in(client, await make_member(role=Role.DESK))
    response = await client.get("/desk", params={"q": "99999999"}, headers={"HX-Request": "true"})
    assert response.text.lstrip().startswith('<section id="results">')
    assert "<html" not in response.text
    assert "没有找到" in response.text


async def test_desk_resets_a_forgotten_password(client: httpx.AsyncClient) -> None:
    from palace.models import AuditEvent
    from palace.services.accounts import accounts
    from palace.services.core.errors import AccountError
    from tests.helpers import PASSWORD, post_form

    desk = await make_member(role=Role.DESK)
    member = await make_member(name="孙丽")
    phone_session = httpx.AsyncClient(transport=client._transport, base_url=client.base_url)
    await log_in(phone_session, member)
    await log_in(client, desk)
    results = await client.get("/desk", params={"q": member.card_no})
    assert f"/desk/members/{member.id}/password" in results.text
    confirm = await client.get(f"/desk/members/{member.id}/password")
    assert "孙丽" in confirm.text
    done = await post_form(client, f"/desk/members/{member.id}/password", {}, page="/desk")
    assert done.status_code == 200
    temporary = done.text.split('id="temporary-password">')[1].split("<")[0]
    assert len(temporary) == 11
    with pytest.raises(AccountError):
        await accounts.authenticate(login=member.card_no, password=PASSWORD, address="t")
    await accounts.authenticate(login=member.card_no, password=temporary, address="t")
    assert (await phone_session.get("/account")).status_code == 303
    event = await AuditEvent.get(entity_id=member.id, action="password_reset")
    assert event.actor_id == desk.id


async def test_desk_cannot_reset_staff_passwords(client: httpx.AsyncClient) -> None:
    from palace.models import Member
    from tests.helpers import post_form

    desk = await make_member(role=Role.DESK)
    staff = await make_member(role=Role.STAFF)
    await log_in(client, desk)
    results = await client.get("/desk", params={"q": staff.card_no})
    assert f"/desk/members/{staff.id}/password" not in results.text
    response = await post_form(client, f"/desk/members/{staff.id}/password", {}, page="/desk")
    assert response.status_code == 403
    assert "前台只能重置会员的密码" in response.text
    assert (await Member.get(id=staff.id)).password_hash == staff.password_hash


async def test_reset_of_unknown_or_forged_ids_is_404(client: httpx.AsyncClient) -> None:
    from tests.helpers import post_form

    await log_in(client, await make_member(role=Role.ADMIN))
    for member_id in ("999999", "abc", "１２", "9" * 30, "-1"):
        assert (await client.get(f"/desk/members/{member_id}/password")).status_code == 404
        response = await post_form(client, f"/desk/members/{member_id}/password", {}, page="/desk")
        assert response.status_code == 404, member_id


async def test_the_desk_shows_a_suspended_members_real_standing(
    client: httpx.AsyncClient,
) -> None:
    """Never "正常" beside a member who may not book: an account suspension, or a no-show
    suspension in force (the account row itself still says active)."""
    from palace.models import Member, MemberStatus
    from palace.services.booking import bookings
    from palace.services.desk import strikes
    from tests.helpers import court, make_hall, slot_at

    await log_in(client, await make_member(role=Role.DESK))
    hall = await make_hall()
    struck = await make_member(name="钱多多")
    for hour in (10, 11):  # two no-shows: booking is suspended
        booking = await bookings.book(
            member_id=struck.id, resource_id=(await court(hall)).id, starts_at=slot_at(hour=hour)
        )
        await strikes.record(booking)
    locked = await make_member(name="孙丽")
    await Member.filter(id=locked.id).update(status=MemberStatus.SUSPENDED)
    fine = await make_member(name="周立")
    for member in (struck, locked):
        page = await client.get(f"/desk/members/{member.id}")
        heading = page.text.split("<h1>")[1].split("</h1>")[0]
        assert "预约已暂停" in heading and "正常" not in heading, member.name
        found = await client.get("/desk", params={"q": member.card_no})
        card = found.text.split('class="member-card"')[1].split("</article>")[0]
        assert "预约已暂停" in card and "正常" not in card, member.name
    page = await client.get(f"/desk/members/{fine.id}")
    assert "正常" in page.text.split("<h1>")[1].split("</h1>")[0]
