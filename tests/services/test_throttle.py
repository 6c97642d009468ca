import pytest

from palace.services import accounts
from palace.services.errors import AccountError, Throttled
from tests.helpers import PASSWORD, make_member


async def test_sixth_wrong_password_within_a_minute_is_throttled() -> None:
    member = await make_member()
    for _ in range(5):
        with pytest.raises(AccountError):
            await accounts.authenticate(login=member.card_no, password="wrong-pass", address="x")
    with pytest.raises(Throttled) as caught:
        # Even the right password is refused until the window has passed.
        await accounts.authenticate(login=member.card_no, password=PASSWORD, address="x")
    assert 0 < caught.value.retry_after <= 60


async def test_throttle_counts_per_address_across_accounts() -> None:
    for n in range(30):
        with pytest.raises(AccountError):
            await accounts.authenticate(
                login=f"NOBODY{n}", password="wrong-pass", address="1.2.3.4"
            )
    member = await make_member()
    with pytest.raises(Throttled):
        await accounts.authenticate(login=member.card_no, password=PASSWORD, address="1.2.3.4")
    # Another address is not affected.
    await accounts.authenticate(login=member.card_no, password=PASSWORD, address="5.6.7.8")


async def test_success_clears_the_account_failures() -> None:
    member = await make_member()
    for _ in range(4):
        with pytest.raises(AccountError):
            await accounts.authenticate(login=member.card_no, password="wrong-pass", address="x")
    await accounts.authenticate(login=member.card_no, password=PASSWORD, address="x")
    for _ in range(5):
        with pytest.raises(AccountError):
            await accounts.authenticate(login=member.card_no, password="wrong-pass", address="x")
