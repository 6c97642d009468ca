import asyncio
import dataclasses

import pytest

from palace.services.accounts import accounts, throttle
from palace.services.core.errors import AccountError, Throttled
from palace.settings import get_settings
from tests.helpers import PASSWORD, make_member


async def fail(login: str, address: str = "10.0.0.1") -> None:
    with pytest.raises(AccountError):
        await accounts.authenticate(login=login, password="wrong-pass", address=address)


async def test_sixth_wrong_password_within_a_minute_is_throttled() -> None:
    member = await make_member()
    for _ in range(5):
        await fail(member.card_no)
    with pytest.raises(Throttled) as caught:
        # Even the right password is refused from here until the window has passed.
        await accounts.authenticate(login=member.card_no, password=PASSWORD, address="10.0.0.1")
    assert 0 < caught.value.retry_after <= 60


async def test_other_spellings_of_the_same_account_share_one_counter() -> None:
    member = await make_member()
    spellings = [
        member.card_no,
        member.phone,
        f"+86 {member.phone}",
        f"0086{member.phone}",
        f"({member.phone[:3]}) {member.phone[3:]}",
    ]
    for login in spellings:
        await fail(login)
    with pytest.raises(Throttled):
        await accounts.authenticate(login=member.phone, password=PASSWORD, address="10.0.0.1")


async def test_parallel_guesses_cannot_slip_past_the_limit() -> None:
    member = await make_member()
    guesses = [
        accounts.authenticate(login=member.card_no, password=f"guess-{n}", address="10.0.0.1")
        for n in range(20)
    ]
    results = await asyncio.gather(*guesses, return_exceptions=True)
    checked = [r for r in results if isinstance(r, AccountError)]
    throttled = [r for r in results if isinstance(r, Throttled)]
    assert (len(checked), len(throttled)) == (5, 15)


async def test_a_rival_elsewhere_cannot_lock_a_member_out() -> None:
    member = await make_member()
    for _ in range(5):
        await fail(member.card_no, address="10.9.9.9")
    await accounts.authenticate(login=member.card_no, password=PASSWORD, address="10.0.0.1")


async def test_many_addresses_still_meet_the_account_ceiling() -> None:
    member = await make_member()
    for n in range(20):
        await fail(member.card_no, address=f"10.0.{n // 5}.1")
    with pytest.raises(Throttled):
        await accounts.authenticate(login=member.card_no, password=PASSWORD, address="10.7.7.7")


async def test_throttle_counts_per_address_across_accounts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A small per-address limit: the attempts then fit well inside the one-minute window
    # however slow the machine is (100 slow hashes did not, under load).
    small = dataclasses.replace(get_settings(), login_attempts_per_address=8)
    monkeypatch.setattr(throttle, "get_settings", lambda: small)
    for n in range(8):
        await fail(f"NOBODY{n}", address="1.2.3.4")
    member = await make_member()
    with pytest.raises(Throttled):
        await accounts.authenticate(login=member.card_no, password=PASSWORD, address="1.2.3.4")
    # Another address is not affected.
    await accounts.authenticate(login=member.card_no, password=PASSWORD, address="5.6.7.8")


async def test_ipv6_clients_are_counted_by_their_64() -> None:
    assert throttle.address_key("2001:db8::1") == throttle.address_key("2001:db8::ffff:1")
    assert throttle.address_key("2001:db8::1") != throttle.address_key("2001:db8:0:1::1")
    assert throttle.address_key("192.0.2.7") == "192.0.2.7"


async def test_success_clears_the_account_failures() -> None:
    member = await make_member()
    for _ in range(4):
        await fail(member.card_no)
    await accounts.authenticate(login=member.card_no, password=PASSWORD, address="10.0.0.1")
    # The count starts again from zero: five more mistakes are allowed, the sixth is not.
    for _ in range(5):
        await fail(member.card_no)
    with pytest.raises(Throttled):
        await accounts.authenticate(login=member.card_no, password=PASSWORD, address="10.0.0.1")
