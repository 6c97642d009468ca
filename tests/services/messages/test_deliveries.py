"""The delivery path in one process, against real local servers: quiet hours, the webhook's
documented check, Tencent Cloud SMS's TC3 signature, giving up and trying again."""

import hashlib
import hmac
import json
import textwrap
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import REGISTRY
from tortoise.exceptions import IntegrityError

from palace.models import AuditEvent, Delivery, DeliveryStatus, Member, Notification
from palace.services.accounts import data_rights
from palace.services.core import after_commit, clock
from palace.services.core.errors import ServiceError
from palace.services.messages import channels, contacts, deliveries, notifications
from tests.helpers import PASSWORD, court, make_hall, make_member, slot_at
from tests.outbound_servers import (
    WEBHOOK_SECRET,
    Receiver,
    Request,
    fresh_outbound,
    http_server,
    outbound_env,
)

__all__ = ["fresh_outbound"]


async def _member(kinds: list[str], picked: list[str], quiet: tuple[str, str] = ("", "")) -> Member:
    member = await make_member(language="en")
    await channels.choose(member_id=member.id, kinds=kinds)
    await contacts.save(
        member_id=member.id,
        email="m@example.com",
        channels=picked,
        quiet_start=quiet[0],
        quiet_end=quiet[1],
    )
    return member


async def _notify(member: Member, kind: str, **detail: object) -> Notification:
    async with after_commit.transaction():
        return await notifications.notify(member_id=member.id, kind=kind, detail=detail)


def _quiet_around_now() -> tuple[str, str]:
    """Quiet hours from an hour ago to an hour from now, palace time (may cross midnight)."""
    local = clock.now().astimezone(clock.zone())
    minute = local.hour * 60 + local.minute
    return clock.hhmm((minute - 60) % 1440), clock.hhmm((minute + 60) % 1440)


def test_quiet_hours_may_cross_midnight() -> None:
    night = Member(quiet_start=22 * 60, quiet_end=7 * 60)
    day = Member(quiet_start=8 * 60, quiet_end=16 * 60)
    at = lambda hour, minute=0: clock.at(clock.today(), hour * 60 + minute)  # noqa: E731
    assert contacts.quiet_until(night, at(23)) == clock.at(clock.today() + timedelta(days=1), 420)
    assert contacts.quiet_until(night, at(6, 59)) == at(7)
    assert contacts.quiet_until(night, at(7)) is None
    assert contacts.quiet_until(night, at(12)) is None
    assert contacts.quiet_until(day, at(8)) == at(16)
    assert contacts.quiet_until(day, at(16)) is None
    assert contacts.quiet_until(Member(quiet_start=None, quiet_end=None), at(3)) is None


async def test_quiet_hours_hold_back_a_reminder_but_not_an_offer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    receiver = Receiver()
    with http_server(receiver) as url:
        outbound_env(monkeypatch, webhook_url=url, webhook_secret=WEBHOOK_SECRET)
        member = await _member(["reminder", "waitlist_offer"], ["webhook"], _quiet_around_now())
        reminder = await _notify(member, "reminder")
        offer = await _notify(member, "waitlist_offer", expires_at=slot_at().isoformat())
        assert await deliveries.sweep() == 1
        assert [r.json()["kind"] for r in receiver.requests] == ["waitlist_offer"]
        held = await Delivery.get(notification_id=reminder.id)
        assert (held.status, held.attempts) == (DeliveryStatus.QUEUED, 0)
        assert held.next_attempt_at is not None
        quiet_end = clock.utc(held.next_attempt_at)
        assert timedelta(minutes=59) < quiet_end - clock.now() <= timedelta(minutes=61)
        assert await deliveries.sweep() == 0  # still quiet: nothing goes
        later = quiet_end + timedelta(seconds=1)
        monkeypatch.setattr(clock, "now", lambda: later)
        assert await deliveries.sweep() == 1
    assert [r.json()["kind"] for r in receiver.requests] == ["waitlist_offer", "reminder"]
    assert (await Delivery.get(notification_id=offer.id)).status == DeliveryStatus.SENT


def test_a_forged_or_replayed_webhook_is_detected() -> None:
    body = b'{"id": 1, "kind": "waitlist_offer"}'
    now = time.time()
    stamp = str(int(now))
    signature = channels.sign_webhook(WEBHOOK_SECRET, stamp, body)
    assert channels.verify_webhook(WEBHOOK_SECRET, stamp, body, signature, now)
    # README's few lines, as a receiver would write them, agree.
    expected = hmac.new(WEBHOOK_SECRET.encode(), f"{stamp}.".encode() + body, hashlib.sha256)
    assert signature == f"sha256={expected.hexdigest()}"
    forged = channels.sign_webhook("not-the-secret-at-all", stamp, body)
    assert not channels.verify_webhook(WEBHOOK_SECRET, stamp, body, forged, now)
    assert not channels.verify_webhook(WEBHOOK_SECRET, stamp, body + b" ", signature, now)
    assert not channels.verify_webhook(WEBHOOK_SECRET, "x", body, signature, now)
    # A replay: a request captured whole and sent again six minutes later.
    assert not channels.verify_webhook(WEBHOOK_SECRET, stamp, body, signature, now + 360)
    old = str(int(now) - 360)
    resigned = channels.sign_webhook(WEBHOOK_SECRET, old, body)
    assert not channels.verify_webhook(WEBHOOK_SECRET, old, body, resigned, now)


def test_the_readme_check_for_receivers_agrees() -> None:
    readme = (Path(__file__).parents[3] / "README.md").read_text()
    code = readme.split("import hashlib, hmac, time\n", 1)[1].split("```", 1)[0]
    space: dict[str, Any] = {}
    exec("import hashlib, hmac, time\n" + textwrap.dedent(code), space)  # noqa: S102
    body, stamp = b'{"id": 2}', str(int(time.time()))
    signature = channels.sign_webhook(WEBHOOK_SECRET, stamp, body)
    assert space["verify"](WEBHOOK_SECRET, stamp, body, signature)
    assert not space["verify"](WEBHOOK_SECRET, stamp, body + b"x", signature)
    old = str(int(time.time()) - 301)
    assert not space["verify"](
        WEBHOOK_SECRET, old, body, channels.sign_webhook(WEBHOOK_SECRET, old, body)
    )


def _tc3(secret_id: str, secret_key: str, request: Request) -> str:
    """Tencent Cloud's documented TC3-HMAC-SHA256 signature (API 3.0), recomputed here
    from what the server received."""
    headers = {k.lower(): v for k, v in request.headers.items()}
    stamp = int(headers["x-tc-timestamp"])
    day = datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%d")
    canonical = (
        f"POST\n/\n\ncontent-type:{headers['content-type']}\nhost:{headers['host']}\n\n"
        f"content-type;host\n{hashlib.sha256(request.body).hexdigest()}"
    )
    scope = f"{day}/sms/tc3_request"
    to_sign = f"TC3-HMAC-SHA256\n{stamp}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"

    def sign(key: bytes, text: str) -> bytes:
        return hmac.new(key, text.encode(), hashlib.sha256).digest()

    key = sign(sign(sign(f"TC3{secret_key}".encode(), day), "sms"), "tc3_request")
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return (
        f"TC3-HMAC-SHA256 Credential={secret_id}/{scope}, SignedHeaders=content-type;host, "
        f"Signature={signature}"
    )


def _tencent(request: Request) -> tuple[int, bytes]:
    """Answers as Tencent does: an error for a bad signature, else a send status."""
    if request.headers.get("Authorization") != _tc3("AKIDtest", "secret-key", request):
        answer = {"Error": {"Code": "AuthFailure.SignatureFailure", "Message": "bad signature"}}
    else:
        status = {"SerialNo": "2028:1", "PhoneNumber": "+86", "Fee": 1, "Code": "Ok",
                  "Message": "send success", "SessionContext": "", "IsoCode": "CN"}  # fmt: skip
        answer = {"SendStatusSet": [status]}
    return 200, json.dumps({"Response": {**answer, "RequestId": "r-1"}}).encode()


async def test_an_sms_carries_a_valid_tc3_signature_its_template_and_parameters(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    receiver = Receiver(answer=_tencent)
    with http_server(receiver) as url:
        outbound_env(
            monkeypatch,
            sms_secret_id="AKIDtest",
            sms_secret_key="secret-key",
            sms_app_id="1400006666",
            sms_sign_name="工人文化宫",
            sms_templates="waitlist_offer=2001,reminder=2002",
            sms_endpoint=url,
        )
        member = await _member(["waitlist_offer"], ["sms"])
        hall = await make_hall()
        resource = await court(hall)
        expires = slot_at(hour=9).replace(minute=30)
        offer = await _notify(
            member, "waitlist_offer", resource_id=resource.id,
            starts_at=slot_at().isoformat(), expires_at=expires.isoformat(),
        )  # fmt: skip
        assert await deliveries.sweep() == 1
    [request] = receiver.requests
    assert request.headers["Authorization"] == _tc3("AKIDtest", "secret-key", request)
    assert request.headers["X-TC-Action"] == "SendSms"
    assert request.headers["X-TC-Version"] == "2021-01-11"
    body = request.json()
    assert body["SmsSdkAppId"] == "1400006666" and body["SignName"] == "工人文化宫"
    assert body["TemplateId"] == "2001"
    assert body["PhoneNumberSet"] == [f"+86{member.phone}"]
    place, when, until = body["TemplateParamSet"]
    assert place == "Badminton hall · Court 1" and "10:00" in when and until == "09:30"
    assert (await Delivery.get(notification_id=offer.id)).status == DeliveryStatus.SENT


async def test_a_rejected_sms_is_given_up_with_the_providers_reason(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    receiver = Receiver(answer=_tencent)
    with http_server(receiver) as url:
        outbound_env(
            monkeypatch, sms_secret_id="AKIDtest", sms_secret_key="a-wrong-key",
            sms_app_id="1400006666", sms_sign_name="文化宫", sms_templates="reminder=2002",
            sms_endpoint=url,
        )  # fmt: skip
        member = await _member(["reminder", "booked"], ["sms"])
        reminder = await _notify(member, "reminder")
        booked = await _notify(member, "booked")  # no template for it
        assert await deliveries.sweep() == 0
    assert len(receiver.requests) == 1
    signature = await Delivery.get(notification_id=reminder.id)
    assert signature.status == DeliveryStatus.GIVEN_UP
    assert signature.last_error == "AuthFailure.SignatureFailure: bad signature"
    template = await Delivery.get(notification_id=booked.id)
    assert (template.status, template.last_error) == (
        DeliveryStatus.GIVEN_UP,
        "no SMS template for booked",
    )


async def test_a_failing_provider_is_given_up_after_the_last_attempt_and_staff_retry(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    receiver = Receiver(statuses=[500, 502])
    staff = await make_member()
    counted = {final: _failures("webhook", final) for final in ("false", "true")}
    with http_server(receiver) as url:
        outbound_env(
            monkeypatch, webhook_url=url, webhook_secret=WEBHOOK_SECRET,
            delivery_attempts="2", delivery_backoff_seconds="60",
        )  # fmt: skip
        member = await _member(["reminder"], ["webhook"])
        note = await _notify(member, "reminder")
        [delivery] = await Delivery.filter(notification_id=note.id)
        first = await deliveries.attempt(delivery_id=delivery.id)
        assert first is not None and first.status == DeliveryStatus.FAILED
        assert await deliveries.attempt(delivery_id=delivery.id) is None  # not due yet
        assert first.next_attempt_at is not None
        later = clock.utc(first.next_attempt_at)
        assert timedelta(seconds=59) < later - clock.now() <= timedelta(seconds=60)
        monkeypatch.setattr(clock, "now", lambda: later)
        second = await deliveries.attempt(delivery_id=delivery.id)
        assert second is not None and second.status == DeliveryStatus.GIVEN_UP
        assert second.last_error == "HTTP 502: busy"
        assert [d.id for d in await deliveries.troubled()] == [delivery.id]
        # /metrics counts each failure, and whether it was the last.
        assert _failures("webhook", "false") == counted["false"] + 1
        assert _failures("webhook", "true") == counted["true"] + 1
        assert await deliveries.sweep() == 0  # given up: the sweep leaves it
        await deliveries.retry(actor_id=staff.id, delivery_id=delivery.id)
        assert await deliveries.sweep() == 1
    assert len(receiver.requests) == 3
    assert await deliveries.troubled() == []
    events = await AuditEvent.filter(entity="delivery", entity_id=delivery.id).order_by("id")
    assert [(e.action, e.to_state) for e in events] == [
        ("attempt", "failed"),
        ("attempt", "given_up"),
        ("retry", "queued"),
        ("attempt", "sent"),
    ]
    assert events[2].actor_id == staff.id
    with pytest.raises(ServiceError):
        await deliveries.retry(actor_id=staff.id, delivery_id=delivery.id + 1000)


def _failures(channel: str, final: str) -> float:
    labels = {"channel": channel, "final": final}
    return REGISTRY.get_sample_value("palace_delivery_failures_total", labels) or 0.0


async def test_closing_an_account_forgets_its_address_and_stops_its_messages(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    outbound_env(monkeypatch, webhook_url="http://127.0.0.1:9/", webhook_secret=WEBHOOK_SECRET)
    member = await _member(["reminder"], ["webhook"], ("22:00", "07:00"))
    note = await _notify(member, "reminder")
    assert (await data_rights.export(member_id=member.id))["profile"]["contact_email"] == (
        "m@example.com"
    )
    await data_rights.close(member_id=member.id, password=PASSWORD)
    closed = await Member.get(id=member.id)
    assert closed.contact_email is None and closed.quiet_start is None
    stopped = await Delivery.get(notification_id=note.id)
    assert (stopped.status, stopped.last_error) == (DeliveryStatus.GIVEN_UP, "account closed")


async def test_one_delivery_per_notification_and_channel() -> None:
    member = await _member(["reminder"], [])
    note = await _notify(member, "reminder")
    [planned] = await Delivery.filter(notification_id=note.id)
    assert planned.channel == "log"  # nothing picked: the palace's default
    with pytest.raises(IntegrityError):
        await Delivery.create(notification_id=note.id, channel="log")


async def test_contact_settings_are_checked() -> None:
    member = await make_member()
    for email, picked, quiet, code in [
        ("not an address", [], ("", ""), "email_invalid"),
        ("", ["email"], ("", ""), "unknown_channel"),  # no SMTP server set up here
        ("a@example.com", [], ("22:00", ""), "quiet_hours_invalid"),
        ("a@example.com", [], ("07:00", "07:00"), "quiet_hours_invalid"),
    ]:
        with pytest.raises(ServiceError) as error:
            await contacts.save(
                member_id=member.id, email=email, channels=picked,
                quiet_start=quiet[0], quiet_end=quiet[1],
            )  # fmt: skip
        assert error.value.code == code
    saved = await contacts.save(
        member_id=member.id, email=" a@example.com ", channels=[],
        quiet_start="２２:００", quiet_end="07:00",
    )  # fmt: skip
    assert (saved.contact_email, saved.quiet_start, saved.quiet_end) == (
        "a@example.com",
        22 * 60,
        7 * 60,
    )
