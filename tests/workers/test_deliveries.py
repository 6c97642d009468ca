"""Messages outside the app, sent by a real worker process to real local servers: an SMTP
server and a webhook receiver that checks the signature as README tells receivers to."""

import time
import uuid

import pytest

from palace.models import (
    AuditEvent,
    Booking,
    BookingStatus,
    Delivery,
    DeliveryStatus,
    Member,
    Slot,
)
from palace.services.booking import bookings, releases
from palace.services.messages import channels, contacts
from palace.services.waitlist import waitlists
from tests.helpers import court, make_hall, make_member, slot_at
from tests.outbound_servers import (
    WEBHOOK_SECRET,
    Mailbox,
    Receiver,
    fresh_outbound,
    http_server,
    outbound_env,
    smtp_server,
)
from tests.processes import palace

__all__ = ["fresh_outbound"]


async def _promoted_member(*picked: str) -> tuple[Member, Slot]:
    """A member first in line for a full court, who wants promotions sent by ``picked``;
    the holder cancels, so a promotion job is queued."""
    hall = await make_hall(code=f"h{uuid.uuid4().hex[:8]}")
    holder = await make_member()
    member = await make_member(language="en")
    booking = await bookings.book(
        member_id=holder.id, resource_id=(await court(hall)).id, starts_at=slot_at(days=2)
    )
    await channels.choose(member_id=member.id, kinds=["waitlist_promoted"])
    await contacts.save(
        member_id=member.id,
        email="worker@example.com",
        channels=list(picked),
        quiet_start="",
        quiet_end="",
    )
    await waitlists.join(member_id=member.id, slot_id=booking.slot_id, mode="auto")
    await releases.cancel(member_id=holder.id, booking_id=booking.id)
    return await Member.get(id=member.id), await Slot.get(id=booking.slot_id)


def _run_worker() -> None:
    result = palace("worker", "--burst", timeout=120)
    assert result.returncode == 0, result.stderr


async def test_a_promotion_arrives_once_by_email_and_once_by_a_signed_webhook(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    mailbox, receiver = Mailbox(), Receiver()
    with smtp_server(mailbox) as port, http_server(receiver) as url:
        outbound_env(
            monkeypatch,
            smtp_host="127.0.0.1",
            smtp_port=str(port),
            smtp_security="none",
            smtp_from="palace@example.com",
            webhook_url=f"{url}/hook",
            webhook_secret=WEBHOOK_SECRET,
        )
        member, slot = await _promoted_member("email", "webhook")
        _run_worker()
        _run_worker()  # a second worker run sends nothing again
    booking = await Booking.get(member_id=member.id, slot_id=slot.id)
    assert booking.status == BookingStatus.CONFIRMED
    [(to, mail)] = mailbox.received
    assert to == ["worker@example.com"]
    assert mail["Subject"] == "Booked from the waitlist"  # the title, in the member's language
    text, html = mail.get_body(("plain",)), mail.get_body(("html",))
    assert text is not None and html is not None
    assert "A place came free and you are booked" in text.get_content()
    assert "<p>A place came free and you are booked" in html.get_content()
    [hook] = receiver.requests
    assert hook.path == "/hook"
    signed = channels.verify_webhook(
        WEBHOOK_SECRET,
        hook.headers["X-Palace-Timestamp"],
        hook.body,
        hook.headers["X-Palace-Signature"],
        time.time(),
    )
    assert signed
    payload = hook.json()
    assert payload["kind"] == "waitlist_promoted" and payload["member"]["id"] == member.id
    assert payload["title"] == "Booked from the waitlist"
    assert payload["member"]["phone"] == f"+86{member.phone}"
    rows = await Delivery.filter(notification__member_id=member.id).order_by("channel")
    assert [(d.channel, d.status, d.attempts) for d in rows] == [
        ("email", DeliveryStatus.SENT, 1),
        ("webhook", DeliveryStatus.SENT, 1),
    ]


async def test_a_provider_that_fails_twice_then_succeeds_delivers_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    receiver = Receiver(statuses=[503, 503])
    with http_server(receiver) as url:
        outbound_env(
            monkeypatch,
            webhook_url=url,
            webhook_secret=WEBHOOK_SECRET,
            delivery_backoff_seconds="1",
        )
        member, _ = await _promoted_member("webhook")
        _run_worker()
    assert len(receiver.requests) == 3
    assert len({r.json()["id"] for r in receiver.requests}) == 1  # the same message each time
    delivery = await Delivery.get(notification__member_id=member.id)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 3)
    attempts = await AuditEvent.filter(entity="delivery", entity_id=delivery.id).order_by("id")
    assert [a.to_state for a in attempts] == ["failed", "failed", "sent"]
    assert attempts[0].detail["error"] == "HTTP 503: busy"


def test_a_malformed_channel_setting_stops_the_worker_at_start() -> None:
    result = palace(
        "worker", "--burst", env={"PALACE_SMS_SECRET_ID": "AKID", "PALACE_SMS_SECRET_KEY": "k"}
    )
    assert result.returncode != 0
    assert "PALACE_SMS_APP_ID, PALACE_SMS_SIGN_NAME needed" in result.stderr
