from datetime import timedelta

import httpx
import pytest

from palace.models import (
    AuditEvent,
    Booking,
    BookingStatus,
    Member,
    MemberStatus,
    Notification,
    Role,
)
from palace.services.booking import bookings
from palace.services.core import clock
from tests.helpers import court, log_in, make_hall, make_member, post_form, slot_at, visible_text


async def admin_post(
    client: httpx.AsyncClient, member: Member, data: dict[str, str]
) -> httpx.Response:
    path = f"/admin/members/{member.id}"
    return await post_form(client, path, data, page=path)


async def test_admin_lists_and_finds_accounts(client: httpx.AsyncClient) -> None:
    admin = await make_member(role=Role.ADMIN, name="管理员甲")
    member = await make_member(name="赵小红")
    await log_in(client, admin)
    page = await client.get("/admin/members")
    assert "赵小红" in page.text and "管理员甲" in page.text
    assert f'href="/admin/members/{member.id}"' in page.text
    found = await client.get("/admin/members", params={"q": member.card_no})
    assert f'id="member-{member.id}"' in found.text
    assert f'id="member-{admin.id}"' not in found.text


async def test_a_role_change_is_shown_for_confirmation_then_made(
    client: httpx.AsyncClient,
) -> None:
    admin = await make_member(role=Role.ADMIN)
    member = await make_member(name="钱多多")
    await log_in(client, admin)
    asked = {"field": "role", "value": "desk", "reason": "调到前台"}
    preview = await admin_post(client, member, asked)
    assert preview.status_code == 200
    assert 'id="confirm-change"' in preview.text
    assert "调到前台" in visible_text(preview.text)
    assert (await Member.get(id=member.id)).role == Role.MEMBER  # nothing yet
    assert not await AuditEvent.exists(entity_id=member.id, action="role_changed")
    done = await admin_post(client, member, {**asked, "confirmed": "1"})
    assert done.status_code == 303
    assert (await Member.get(id=member.id)).role == Role.DESK
    event = await AuditEvent.get(entity_id=member.id, action="role_changed")
    assert (event.actor_id, event.from_state, event.to_state) == (admin.id, "member", "desk")
    assert event.detail == {"reason": "调到前台"}


async def test_a_change_without_a_reason_is_refused(client: httpx.AsyncClient) -> None:
    admin = await make_member(role=Role.ADMIN)
    member = await make_member()
    await log_in(client, admin)
    for confirmed in ("", "1"):
        data = {"field": "status", "value": "suspended", "reason": "  ", "confirmed": confirmed}
        response = await admin_post(client, member, data)
        assert response.status_code == 400
        assert "请填写原因" in response.text
    assert (await Member.get(id=member.id)).status == MemberStatus.ACTIVE


async def test_a_suspension_with_an_end_is_told_shown_and_ends_by_itself(
    client: httpx.AsyncClient, app: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = await make_member(role=Role.ADMIN)
    member = await make_member(name="孙<b>50%</b>")
    await log_in(client, admin)
    until = clock.today() + timedelta(days=10)
    asked = {"field": "status", "value": "suspended", "reason": "多次<i>违规</i> 100%"}
    data = {**asked, "until": until.isoformat(), "confirmed": "1"}
    assert (await admin_post(client, member, data)).status_code == 303
    stored = await Member.get(id=member.id)
    assert stored.status == MemberStatus.SUSPENDED
    assert stored.suspension_reason == "多次<i>违规</i> 100%"
    assert stored.suspension_ends_at is not None
    assert clock.utc(stored.suspension_ends_at) == clock.day_bounds(until)[0]
    told = await Notification.get(member_id=member.id)
    assert told.kind == "account_suspended"
    assert told.detail["reason"] == "多次<i>违规</i> 100%"
    # The member sees it on the home page, with the reason as typed.
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),  # type: ignore[arg-type]
        base_url="http://testserver",
    ) as own:
        await log_in(own, member)
        home = await own.get("/")
        assert 'id="suspension"' in home.text
        assert "多次&lt;i&gt;违规&lt;/i&gt; 100%" in home.text
        text = visible_text(home.text)
        assert "暂停预约" in text and "原因：多次&lt;i&gt;违规&lt;/i&gt; 100%" in text
        # On its end date it is over: no banner, and the booking core lets them book.
        later = clock.day_bounds(until)[0] + timedelta(minutes=1)
        monkeypatch.setattr(clock, "now", lambda: later)
        assert 'id="suspension"' not in (await own.get("/")).text
    assert bookings.member_refusal(await Member.get(id=member.id)) is None


async def test_the_admin_lifts_a_suspension(client: httpx.AsyncClient) -> None:
    admin = await make_member(role=Role.ADMIN)
    member = await make_member()
    await log_in(client, admin)
    suspend = {"field": "status", "value": "suspended", "reason": "欠费", "confirmed": "1"}
    await admin_post(client, member, suspend)
    page = await client.get(f"/admin/members/{member.id}")
    assert 'id="lift-form"' in page.text and "欠费" in page.text
    lift = {"field": "status", "value": "active", "reason": "已缴费"}
    preview = await admin_post(client, member, lift)
    assert 'id="confirm-change"' in preview.text
    assert (await admin_post(client, member, {**lift, "confirmed": "1"})).status_code == 303
    stored = await Member.get(id=member.id)
    assert stored.status == MemberStatus.ACTIVE
    assert (stored.suspension_reason, stored.suspension_ends_at) == (None, None)
    kinds = [n.kind for n in await Notification.filter(member_id=member.id).order_by("id")]
    assert kinds == ["account_suspended_open", "suspension_lifted"]
    assert 'id="lift-form"' not in (await client.get(f"/admin/members/{member.id}")).text


async def test_disabling_says_how_many_bookings_it_cancels_first(
    client: httpx.AsyncClient,
) -> None:
    admin = await make_member(role=Role.ADMIN)
    member = await make_member()
    hall = await make_hall()
    booked = await bookings.book(
        member_id=member.id, resource_id=(await court(hall)).id, starts_at=slot_at(days=2)
    )
    await log_in(client, admin)
    asked = {"field": "status", "value": "disabled", "reason": "会员退会"}
    preview = await admin_post(client, member, asked)
    assert "将被取消（1 个）" in visible_text(preview.text)
    assert (await Member.get(id=member.id)).status == MemberStatus.ACTIVE
    assert (await Booking.get(id=booked.id)).status == BookingStatus.CONFIRMED
    await admin_post(client, member, {**asked, "confirmed": "1"})
    assert (await Booking.get(id=booked.id)).status == BookingStatus.CANCELLED_BY_PALACE


async def test_admin_cannot_demote_themself(client: httpx.AsyncClient) -> None:
    admin = await make_member(role=Role.ADMIN)
    await log_in(client, admin)
    data = {"field": "role", "value": "member", "reason": "x", "confirmed": "1"}
    response = await admin_post(client, admin, data)
    assert response.status_code == 400
    assert "不能取消自己的管理员角色。" in response.text
    assert (await Member.get(id=admin.id)).role == Role.ADMIN


async def test_forged_admin_input_changes_nothing(client: httpx.AsyncClient) -> None:
    admin = await make_member(role=Role.ADMIN)
    member = await make_member()
    await log_in(client, admin)
    ok = {"reason": "x", "confirmed": "1"}
    cases = [
        (f"/admin/members/{member.id}", {"field": "role", "value": "emperor", **ok}, 400),
        (f"/admin/members/{member.id}", {"field": "password_hash", "value": "x", **ok}, 400),
        (f"/admin/members/{member.id}", {}, 400),
        (
            f"/admin/members/{member.id}",
            {"field": "status", "value": "suspended", "until": "2001-01-01", **ok},
            400,
        ),
        (
            f"/admin/members/{member.id}",
            {"field": "status", "value": "suspended", "until": "明天", **ok},
            400,
        ),
        ("/admin/members/999999", {"field": "role", "value": "staff", **ok}, 404),
        ("/admin/members/abc", {"field": "role", "value": "staff", **ok}, 404),
        ("/admin/members/99999999999999999999", {"field": "role", "value": "staff", **ok}, 404),
    ]
    for path, data, status in cases:
        response = await post_form(client, path, data, page="/admin/members")
        assert response.status_code == status, (path, data)
    assert (await Member.get(id=member.id)).role == Role.MEMBER
    assert await AuditEvent.filter(entity_id=member.id).count() == 1
