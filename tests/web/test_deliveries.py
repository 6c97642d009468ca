"""Members set how and when they are reached; staff see messages that did not get out."""

import httpx
import pytest

from palace.models import Delivery, DeliveryStatus, Member, Role
from palace.services.core import after_commit
from palace.services.messages import channels, notifications
from tests.helpers import log_in, make_member, post_form, visible_text
from tests.outbound_servers import fresh_outbound, outbound_env

__all__ = ["fresh_outbound"]


@pytest.fixture(autouse=True)
def email_set_up(monkeypatch: pytest.MonkeyPatch) -> None:
    # Port 9 (discard) on this machine: nothing listens, so a send fails at once.
    outbound_env(
        monkeypatch, smtp_host="127.0.0.1", smtp_port="9", smtp_security="none",
        smtp_from="palace@example.com",
    )  # fmt: skip


async def test_a_member_sets_an_address_a_channel_and_quiet_hours(
    client: httpx.AsyncClient,
) -> None:
    member = await make_member(language="en")
    await log_in(client, member)
    page = await client.get("/inbox/settings")
    assert 'name="channel" value="email"' in page.text and "Quiet hours" in page.text
    form = {"channel": "email", "email": "", "quiet_start": "22:00", "quiet_end": "07:00"}
    refused = await post_form(client, "/inbox/settings/contact", form, page="/inbox/settings")
    assert refused.status_code == 303
    page = await client.get("/inbox/settings")
    assert "Enter an e-mail address to receive messages by e-mail." in visible_text(page.text)
    assert (await Member.get(id=member.id)).outbound_channels is None  # nothing saved
    form["email"] = "worker@example.com"
    saved = await post_form(client, "/inbox/settings/contact", form, page="/inbox/settings")
    assert saved.status_code == 303
    fresh = await Member.get(id=member.id)
    assert (fresh.contact_email, fresh.outbound_channels) == ("worker@example.com", "email")
    assert (fresh.quiet_start, fresh.quiet_end) == (22 * 60, 7 * 60)
    page = await client.get("/inbox/settings")
    assert 'value="worker@example.com"' in page.text and 'value="22:00"' in page.text


async def test_staff_see_a_delivery_that_failed_with_its_reason_and_retry_it(
    client: httpx.AsyncClient,
) -> None:
    member = await make_member(name="夜班工人", language="en")
    await channels.choose(member_id=member.id, kinds=["reminder"])
    await Member.filter(id=member.id).update(
        contact_email="m@example.com", outbound_channels="email"
    )
    async with after_commit.transaction():
        note = await notifications.notify(member_id=member.id, kind="reminder", detail={})
    delivery = await Delivery.get(notification_id=note.id)
    await Delivery.filter(id=delivery.id).update(
        status=DeliveryStatus.GIVEN_UP, attempts=5, last_error="SMTP 550: mailbox unavailable"
    )
    await log_in(client, await make_member(role=Role.STAFF))
    page = await client.get("/staff/deliveries")
    assert page.status_code == 200
    row = visible_text(page.text)
    assert "夜班工人" in row and "SMTP 550: mailbox unavailable" in row
    retried = await post_form(
        client, f"/staff/deliveries/{delivery.id}/retry", {}, page="/staff/deliveries"
    )
    assert retried.status_code == 303
    again = await Delivery.get(id=delivery.id)
    assert (again.status, again.attempts) == (DeliveryStatus.QUEUED, 0)
    missing = await post_form(client, "/staff/deliveries/999999/retry", {}, page="/staff")
    assert missing.status_code == 404


async def test_members_may_not_see_or_retry_deliveries(client: httpx.AsyncClient) -> None:
    await log_in(client, await make_member())
    assert (await client.get("/staff/deliveries")).status_code == 403
    refused = await post_form(client, "/staff/deliveries/1/retry", {}, page="/inbox")
    assert refused.status_code == 403
