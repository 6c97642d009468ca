"""Tokens: log-in for a token, scopes, revoked and expired tokens, the shared log-in
throttle; cookies never work on the API and tokens never work on the pages."""

from datetime import timedelta

import httpx

from palace.models import ApiToken, Role, TokenScope
from palace.services.accounts import api_tokens
from palace.services.core import clock
from tests.api.helpers import API, bearer, call, token_for
from tests.helpers import PASSWORD, court, log_in, make_hall, make_member, post_form, slot_at


async def test_log_in_gives_a_token_kept_only_as_its_hash(client: httpx.AsyncClient) -> None:
    member = await make_member()
    body = {"login": member.phone, "password": PASSWORD, "label": "微信"}
    answer = await client.post(f"{API}/auth/token", json=body)
    assert answer.status_code == 201, answer.text
    secret = answer.json()["token"]
    row = await ApiToken.get(member_id=member.id)
    assert row.key == api_tokens.key_of(secret) and secret not in row.key
    assert row.scope == TokenScope.MEMBER and row.label == "微信"
    listed = (await call(client, "GET", "/auth/tokens", secret)).json()
    assert [t["id"] for t in listed] == [row.id]


async def test_wrong_password_is_refused_in_the_language_asked(client: httpx.AsyncClient) -> None:
    member = await make_member()
    body = {"login": member.card_no, "password": "not-it"}
    zh = await client.post(f"{API}/auth/token", json=body, headers={"Accept-Language": "zh-CN"})
    en = await client.post(f"{API}/auth/token", json=body, headers={"Accept-Language": "en;q=0.9"})
    assert zh.status_code == en.status_code == 400
    assert zh.json() == {"code": "bad_credentials", "detail": "卡号、手机号或密码不正确。"}
    assert en.json()["detail"] == "The card number, phone or password is not correct."


async def test_failed_api_log_ins_share_the_pages_throttle(client: httpx.AsyncClient) -> None:
    member = await make_member()
    for _ in range(5):
        wrong = {"login": member.card_no, "password": "not-it"}
        assert (await client.post(f"{API}/auth/token", json=wrong)).status_code == 400
    # The sixth attempt from this address, on the page: the same counter says no.
    page = await post_form(client, "/login", {"login": member.card_no, "password": PASSWORD})
    assert page.status_code == 429
    right = {"login": member.card_no, "password": PASSWORD}
    api = await client.post(f"{API}/auth/token", json=right)
    assert api.status_code == 429 and api.json()["code"] == "too_many_attempts"
    assert int(api.headers["retry-after"]) >= 1


async def test_revoked_and_expired_tokens_are_refused(client: httpx.AsyncClient) -> None:
    member = await make_member()
    revoked, expired, kept = [await token_for(member) for _ in range(3)]
    rows = await ApiToken.filter(member_id=member.id).order_by("id")
    answer = await call(client, "DELETE", f"/auth/tokens/{rows[0].id}", revoked)
    assert answer.status_code == 204
    await ApiToken.filter(id=rows[1].id).update(expires_at=clock.now() - timedelta(seconds=1))
    for secret in (revoked, expired, "made-up"):
        refused = await call(client, "GET", "/bookings", secret)
        assert refused.status_code == 401 and refused.json()["code"] == "token_invalid"
        assert refused.headers["www-authenticate"].startswith("Bearer")
    assert (await call(client, "GET", "/bookings", kept)).status_code == 200


async def test_a_members_token_cannot_revoke_anothers(client: httpx.AsyncClient) -> None:
    owner, other = await make_member(), await make_member()
    await token_for(owner)
    row = await ApiToken.get(member_id=owner.id)
    answer = await call(client, "DELETE", f"/auth/tokens/{row.id}", await token_for(other))
    assert answer.status_code == 404
    assert (await ApiToken.get(id=row.id)).revoked_at is None


async def test_a_device_cannot_book_and_a_member_cannot_check_in(
    client: httpx.AsyncClient,
) -> None:
    hall = await make_hall()
    staff, member = await make_member(role=Role.STAFF), await make_member()
    device, own = await token_for(staff, TokenScope.CHECKIN), await token_for(member)
    body = {"resource_id": (await court(hall)).id, "starts_at": slot_at().isoformat()}
    refused = await call(client, "POST", "/bookings", device, json=body)
    assert refused.status_code == 403 and refused.json()["code"] == "scope_not_allowed"
    booked = await call(client, "POST", "/bookings", own, json=body)
    ticket = (await call(client, "GET", f"/bookings/{booked.json()['id']}/ticket", own)).json()
    not_desk = await call(client, "POST", "/desk/checkin", own, json={"code": ticket["code"]})
    assert not_desk.status_code == 403
    # The scanner may check in (too early here: a warning, nothing checked in).
    scanned = await call(client, "POST", "/desk/checkin", device, json={"code": ticket["code"]})
    assert scanned.status_code == 200 and scanned.json()["ok"] is False


async def test_only_desk_roles_get_a_desk_token(client: httpx.AsyncClient) -> None:
    member, clerk = await make_member(), await make_member(role=Role.DESK)
    for who, status in ((member, 403), (clerk, 201)):
        body = {"login": who.card_no, "password": PASSWORD, "scope": "desk"}
        assert (await client.post(f"{API}/auth/token", json=body)).status_code == status


async def test_session_cookies_do_not_work_on_the_api(client: httpx.AsyncClient) -> None:
    hall = await make_hall()
    member = await make_member()
    await log_in(client, member)
    assert (await client.get("/bookings")).status_code == 200  # the cookie works on pages
    listed = await client.get(f"{API}/bookings")
    assert listed.status_code == 401 and "set-cookie" not in listed.headers
    # No CSRF token, a cross-site origin: refused for want of a token, not by CSRF.
    body = {"resource_id": (await court(hall)).id, "starts_at": slot_at().isoformat()}
    forged = await client.post(f"{API}/bookings", json=body,
                               headers={"Origin": "https://evil.example"})  # fmt: skip
    assert forged.status_code == 401 and forged.json()["code"] == "token_invalid"


async def test_tokens_do_not_work_on_pages(client: httpx.AsyncClient) -> None:
    hall = await make_hall()
    secret = await token_for(await make_member())
    page = await client.get("/bookings", headers=bearer(secret))
    assert page.status_code == 303 and page.headers["location"].startswith("/login")
    form = {"resource": str((await court(hall)).id), "start": str(int(slot_at().timestamp()))}
    posted = await client.post("/book/badminton", data=form, headers=bearer(secret))
    assert posted.status_code == 403  # no session, no CSRF token: nothing booked


async def test_my_account_lists_and_revokes_tokens(client: httpx.AsyncClient) -> None:
    member = await make_member()
    secret = await token_for(member)
    row = await ApiToken.get(member_id=member.id)
    await log_in(client, member)
    assert f"/account/tokens/{row.id}/revoke" in (await client.get("/account/tokens")).text
    done = await post_form(client, f"/account/tokens/{row.id}/revoke", {}, page="/account/tokens")
    assert done.status_code == 303
    assert (await call(client, "GET", "/inbox/unread", secret)).status_code == 401


async def test_staff_pair_a_scanner_shown_once_as_a_qr(client: httpx.AsyncClient) -> None:
    staff = await make_member(role=Role.STAFF)
    await log_in(client, staff)
    paired = await post_form(client, "/staff/devices", {"label": "前台 1"}, page="/staff/devices")
    assert paired.status_code == 200 and "<svg" in paired.text
    assert paired.headers["cache-control"] == "no-store"
    device = await ApiToken.get(member_id=staff.id)
    assert device.scope == TokenScope.CHECKIN and device.label == "前台 1"
    assert "<svg" not in (await client.get("/staff/devices")).text  # never shown again


async def test_a_changed_password_ends_the_members_tokens_too(client: httpx.AsyncClient) -> None:
    from palace.services.accounts import accounts

    member = await make_member()
    secret = await token_for(member)
    assert (await call(client, "GET", "/bookings", secret)).status_code == 200
    await accounts.change_password(
        member_id=member.id,
        current_password=PASSWORD,
        new_password="a-new-lotus-pond-77",
        confirm_password="a-new-lotus-pond-77",
    )
    refused = await call(client, "GET", "/bookings", secret)
    assert refused.status_code == 401 and refused.json()["code"] == "token_invalid"
