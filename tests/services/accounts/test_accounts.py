import asyncio
from datetime import date, timedelta

import pytest

from palace.models import AuditEvent, LoginSession, Member, MemberStatus, Role
from palace.services.accounts import account_status, accounts, admin, logins
from palace.services.booking import bookings
from palace.services.core import clock
from palace.services.core.errors import AccountError, NotAllowed
from tests.helpers import PASSWORD, make_member


async def register(**overrides: str) -> Member:
    values = {
        "card_no": "8800 1234",
        "name": " 李 娟 ",
        "phone": "+86 138-0013-8000",
        "password": "morning-tai-chi",
    }
    return await accounts.register(**{**values, **overrides})


async def test_register_normalises_and_hashes_with_argon2id() -> None:
    member = await register()
    stored = await Member.get(id=member.id)
    assert (stored.card_no, stored.name, stored.phone) == ("88001234", "李 娟", "13800138000")
    assert stored.password_hash.startswith("$argon2id$")
    assert "morning-tai-chi" not in stored.password_hash
    assert stored.role == Role.MEMBER and stored.status == MemberStatus.ACTIVE


async def test_register_writes_an_audit_event() -> None:
    member = await register()
    events = await AuditEvent.filter(entity="member", entity_id=member.id)
    assert [(e.action, e.to_state) for e in events] == [("registered", "active")]


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("card_no", "12", "card_invalid"),
        ("card_no", "卡号1234", "card_invalid"),
        ("name", "   ", "name_missing"),
        ("name", "x" * 41, "name_invalid"),
        ("phone", "12345", "phone_invalid"),
        ("phone", "23800138000", "phone_invalid"),
        ("password", "short", "password_too_short"),
        ("password", "x" * 129, "password_too_long"),
        ("password", "password", "password_too_common"),
        ("password", "12345678", "password_too_common"),
        ("password", "aaaaaaaaaa", "password_too_common"),
        ("password", "my88001234", "password_like_account"),
        ("password", "13800138000x", "password_like_account"),
    ],
)
async def test_register_rejects_bad_fields(field: str, value: str, code: str) -> None:
    with pytest.raises(AccountError) as caught:
        await register(**{field: value})
    assert caught.value.fields[field] == code
    assert await Member.all().count() == 0


async def test_register_names_every_bad_field_at_once() -> None:
    with pytest.raises(AccountError) as caught:
        await register(card_no="1", phone="2", password="3")
    assert set(caught.value.fields) == {"card_no", "phone", "password"}


async def test_duplicate_card_and_phone_are_refused() -> None:
    await register()
    with pytest.raises(AccountError) as caught:
        await register(name="另一个人")
    assert caught.value.fields == {"card_no": "card_taken", "phone": "phone_taken"}
    assert await Member.all().count() == 1


async def test_concurrent_registrations_of_one_card_create_one_account() -> None:
    attempts = [register(phone=f"1390000{n:04d}") for n in range(10)]
    results = await asyncio.gather(*attempts, return_exceptions=True)
    created = [r for r in results if isinstance(r, Member)]
    refused = [r for r in results if isinstance(r, AccountError)]
    assert len(created) == 1
    assert len(refused) == 9
    assert all(r.fields == {"card_no": "card_taken"} for r in refused)
    assert await Member.filter(card_no="88001234").count() == 1


async def test_authenticate_by_card_or_phone() -> None:
    member = await register()
    by_card = await accounts.authenticate(
        login="8800-1234", password="morning-tai-chi", address="a"
    )
    by_phone = await accounts.authenticate(
        login="138 0013 8000", password="morning-tai-chi", address="a"
    )
    assert by_card.id == by_phone.id == member.id


async def test_authenticate_refuses_wrong_password_and_unknown_login() -> None:
    await register()
    for login, password in (("88001234", "wrong-one!"), ("99999999", "morning-tai-chi")):
        with pytest.raises(AccountError) as caught:
            await accounts.authenticate(login=login, password=password, address="a")
        assert caught.value.code == "bad_credentials"


async def test_disabled_account_cannot_log_in() -> None:
    member = await make_member()
    await Member.filter(id=member.id).update(status=MemberStatus.DISABLED)
    with pytest.raises(AccountError) as caught:
        await accounts.authenticate(login=member.card_no, password=PASSWORD, address="a")
    assert caught.value.code == "account_disabled"


async def test_login_stores_the_language_chosen_before_it() -> None:
    member = await make_member()
    await accounts.authenticate(login=member.card_no, password=PASSWORD, address="a", language="en")
    assert (await Member.get(id=member.id)).language == "en"


async def test_change_password_checks_the_old_one_and_ends_other_sessions() -> None:
    member = await make_member()
    _, phone = await accounts.log_in(login=member.card_no, password=PASSWORD, address="a")
    _, laptop = await accounts.log_in(login=member.card_no, password=PASSWORD, address="a")
    with pytest.raises(AccountError) as caught:
        await accounts.change_password(
            member_id=member.id, current_password="nope-nope", new_password="evening-yoga-7"
        )
    assert caught.value.fields == {"current_password": "wrong_password"}
    assert await logins.resolve(token=phone) is not None
    await accounts.change_password(
        member_id=member.id,
        current_password=PASSWORD,
        new_password="evening-yoga-7",
        keep_session=laptop,
    )
    assert await logins.resolve(token=phone) is None
    assert (await logins.resolve(token=laptop)).id == member.id  # type: ignore[union-attr]
    await accounts.authenticate(login=member.card_no, password="evening-yoga-7", address="a")
    assert await AuditEvent.filter(entity_id=member.id, action="password_changed").exists()


async def test_a_session_ends_at_log_out_and_for_a_disabled_account() -> None:
    member = await make_member()
    _, token = await accounts.log_in(login=member.card_no, password=PASSWORD, address="a")
    _, other = await accounts.log_in(login=member.card_no, password=PASSWORD, address="a")
    await logins.end(token=token)
    assert await logins.resolve(token=token) is None
    assert await logins.resolve(token=other) is not None
    await Member.filter(id=member.id).update(status=MemberStatus.DISABLED)
    assert await logins.resolve(token=other) is None
    assert await logins.resolve(token="made-up") is None


async def test_a_card_number_cannot_be_someone_elses_phone() -> None:
    await register()
    with pytest.raises(AccountError) as caught:
        await register(card_no="13800138000", phone="13912345678")
    assert caught.value.fields == {"card_no": "card_taken"}


async def test_look_alike_digits_are_not_a_phone_number() -> None:
    with pytest.raises(AccountError) as caught:
        await register(phone="13٨٠٠١٣٨٠٠٠")
    assert caught.value.fields == {"phone": "phone_invalid"}


async def test_fullwidth_digits_from_a_chinese_keyboard_are_fine() -> None:
    member = await register(phone="１３８００１３８０００", card_no="８８００１２３４")
    assert (member.phone, member.card_no) == ("13800138000", "88001234")


async def test_control_characters_in_a_login_or_search_are_harmless() -> None:
    member = await register()
    with pytest.raises(AccountError):
        await accounts.authenticate(login="8800\x001234x", password="x", address="a")
    assert await accounts.search(query="李\x00娟") == []
    assert [m.id for m in await accounts.search(query="8800\x001234")] == [member.id]


async def test_change_password_refuses_a_weak_new_one() -> None:
    member = await make_member()
    with pytest.raises(AccountError) as caught:
        await accounts.change_password(
            member_id=member.id, current_password=PASSWORD, new_password="1234"
        )
    assert caught.value.fields == {"new_password": "password_too_short"}
    assert (await Member.get(id=member.id)).password_hash == member.password_hash


def _asked(field: str, value: str, until: date | None = None) -> admin.Asked:
    return admin.Asked(field, value, "年度审核", until)


async def test_role_and_status_changes_are_audited_with_their_reason() -> None:
    boss = await make_member(role=Role.ADMIN)
    member = await make_member()
    await admin.apply(actor_id=boss.id, member_id=member.id, asked=_asked("role", "staff"))
    await admin.apply(actor_id=boss.id, member_id=member.id, asked=_asked("status", "suspended"))
    events = await AuditEvent.filter(entity_id=member.id).exclude(action="registered")
    assert [(e.actor_id, e.action, e.from_state, e.to_state, e.detail) for e in events] == [
        (boss.id, "role_changed", "member", "staff", {"reason": "年度审核"}),
        (boss.id, "status_changed", "active", "suspended", {"reason": "年度审核"}),
    ]


async def test_a_preview_changes_nothing() -> None:
    boss = await make_member(role=Role.ADMIN)
    member = await make_member()
    change = await admin.preview(
        actor_id=boss.id, member_id=member.id, asked=_asked("status", "disabled")
    )
    assert (change.old, change.new, change.cancels) == ("active", "disabled", 0)
    assert (await Member.get(id=member.id)).status == MemberStatus.ACTIVE
    assert await AuditEvent.filter(entity_id=member.id).count() == 1


async def test_a_suspension_ends_on_its_end_date(monkeypatch: pytest.MonkeyPatch) -> None:
    boss = await make_member(role=Role.ADMIN)
    member = await make_member()
    until = clock.today() + timedelta(days=3)
    asked = _asked("status", "suspended", until)
    await admin.apply(actor_id=boss.id, member_id=member.id, asked=asked)
    stored = await Member.get(id=member.id)
    refusal = bookings.member_refusal(stored)
    assert refusal is not None and refusal.code == "member_suspended"
    ends = clock.day_bounds(until)[0]
    monkeypatch.setattr(clock, "now", lambda: ends - timedelta(seconds=1))
    assert account_status.account_suspension(stored) is not None
    monkeypatch.setattr(clock, "now", lambda: ends)
    assert account_status.account_suspension(stored) is None
    assert account_status.effective_status(stored) == MemberStatus.ACTIVE
    assert bookings.member_refusal(stored) is None


async def test_a_suspension_cannot_end_today_or_before() -> None:
    boss = await make_member(role=Role.ADMIN)
    member = await make_member()
    asked = _asked("status", "suspended", clock.today())
    with pytest.raises(AccountError) as caught:
        await admin.apply(actor_id=boss.id, member_id=member.id, asked=asked)
    assert caught.value.fields == {"until": "suspension_end_invalid"}
    assert (await Member.get(id=member.id)).status == MemberStatus.ACTIVE


async def test_an_admin_cannot_lock_themself_out() -> None:
    boss = await make_member(role=Role.ADMIN)
    with pytest.raises(NotAllowed):
        await admin.apply(actor_id=boss.id, member_id=boss.id, asked=_asked("role", "member"))
    with pytest.raises(NotAllowed):
        await admin.apply(actor_id=boss.id, member_id=boss.id, asked=_asked("status", "disabled"))
    assert (await Member.get(id=boss.id)).role == Role.ADMIN


@pytest.mark.parametrize(
    ("field", "value"), [("role", "king"), ("status", "gone"), ("password_hash", "x")]
)
async def test_unknown_field_role_or_status_changes_nothing(field: str, value: str) -> None:
    boss = await make_member(role=Role.ADMIN)
    member = await make_member()
    with pytest.raises(AccountError) as caught:
        await admin.apply(actor_id=boss.id, member_id=member.id, asked=_asked(field, value))
    assert caught.value.code == f"unknown_{field}" if field != "password_hash" else "unknown_field"
    assert await AuditEvent.filter(entity_id=member.id).count() == 1


async def test_search_finds_by_card_phone_and_name() -> None:
    li = await make_member(name="李娟")
    await make_member(name="王强")
    assert [m.id for m in await accounts.search(query=li.card_no)] == [li.id]
    assert [m.id for m in await accounts.search(query=li.phone)] == [li.id]
    assert [m.id for m in await accounts.search(query="娟")] == [li.id]


async def test_a_log_in_racing_a_password_change_does_not_survive_it() -> None:
    member = await make_member()
    # The log-in checked the password, then the password changed before its session began.
    verified = await accounts.authenticate(login=member.card_no, password=PASSWORD, address="a")
    await accounts.change_password(
        member_id=member.id, current_password=PASSWORD, new_password="evening-yoga-7"
    )
    with pytest.raises(AccountError):
        await accounts.start_session(verified=verified)
    assert await LoginSession.filter(member_id=member.id).count() == 0


async def test_the_desk_search_says_whose_password_the_desk_may_reset() -> None:
    from palace.services.desk.desk import search as desk_search

    desk = await make_member(role=Role.DESK)
    member = await make_member(name="周立")
    staff = await make_member(role=Role.STAFF, name="周工")
    found = await desk_search(actor=desk, query="周")
    assert {(f.member.id, f.resettable) for f in found} == {(member.id, True), (staff.id, False)}
    assert await desk_search(actor=desk, query=" \x00 ") == []
