"""Outbound channels: the same notifications, also sent outside the app.

A member picks the kinds they want (``choose``), and where (``contacts``); ``notify``
plans a delivery per channel and ``deliveries`` sends it from a worker. Each channel
here sends one message or raises ``ChannelError`` with the provider's reason:

- ``log``: writes the message to the log (the default until a real one is set up);
- ``email``: SMTP (aiosmtplib), a text and an HTML part, subject = the title;
- ``webhook``: a signed JSON POST for a union's own SMS or WeChat gateway (README,
  "Messages outside the app", documents the payload and ``verify_webhook``);
- ``sms``: Tencent Cloud SMS (``sms``).

``deliveries.channel`` names them.
"""

import hashlib
import hmac
import json
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from html import escape
from typing import Any, Protocol

import aiosmtplib
import httpx

from palace.models import Member, OutboundChoice
from palace.outbound_settings import get_outbound
from palace.services.core import after_commit, audit
from palace.services.core.errors import ServiceError
from palace.services.messages import notices

log = logging.getLogger("palace.outbound")
# Seconds a provider may take to answer; an attempt's lease (deliveries.LEASE) is longer.
TIMEOUT = 15.0
# A webhook's timestamp older (or further ahead) than this is refused: a replay.
WEBHOOK_TOLERANCE = 300


@dataclass(frozen=True)
class Message:
    """One notification as it leaves the app, in the member's language."""

    notification_id: int
    kind: str
    member: Member
    title: str
    text: str
    created_at: datetime
    # The values the text was made of (place, when, until...): SMS templates take them.
    values: dict[str, str] = field(default_factory=dict)


class ChannelError(Exception):
    """A send failed; ``reason`` is the provider's word. ``permanent``: trying again
    cannot help (no address, a refused recipient, a rejected request)."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason[:500]
        self.permanent = permanent


class Channel(Protocol):
    name: str

    async def send(self, message: Message) -> None: ...


class LogChannel:
    """Writes each message to the log: the default until a real channel is set up."""

    name = "log"

    async def send(self, message: Message) -> None:
        member = message.member
        log.info(
            "message to member %s (%s): %s — %s", member.id, member.phone, message.title,
            message.text,
        )  # fmt: skip


class EmailChannel:
    name = "email"

    async def send(self, message: Message) -> None:
        smtp = get_outbound().smtp
        address = message.member.contact_email
        if smtp is None or not address:
            raise ChannelError("no e-mail address or no SMTP server", permanent=True)
        try:
            await aiosmtplib.send(
                email_of(message, sender=smtp.sender, to=address),
                hostname=smtp.host,
                port=smtp.port,
                username=smtp.username or None,
                password=smtp.password or None,
                use_tls=smtp.security == "tls",
                start_tls={"starttls": True, "none": False}.get(smtp.security),
                timeout=TIMEOUT,
            )
        except aiosmtplib.SMTPRecipientsRefused as error:
            refused = error.recipients[0]
            raise ChannelError(f"SMTP {refused.code}: {refused.message}", permanent=True) from None
        except aiosmtplib.SMTPResponseException as error:
            reason = f"SMTP {error.code}: {error.message}"
            raise ChannelError(reason, permanent=error.code >= 500) from None
        except (aiosmtplib.SMTPException, OSError) as error:
            raise ChannelError(f"SMTP: {type(error).__name__}: {error}") from None


def email_of(message: Message, *, sender: str, to: str) -> EmailMessage:
    """The e-mail: subject = the title, a text part and the same words as HTML."""
    mail = EmailMessage()
    mail["Subject"] = message.title
    mail["From"] = sender
    mail["To"] = to
    mail["Message-ID"] = f"<notification-{message.notification_id}@palace>"
    mail.set_content(message.text)
    lang = message.member.language
    html = (
        f'<!doctype html><html lang="{escape(lang)}"><head><meta charset="utf-8">'
        f"<title>{escape(message.title)}</title></head><body>"
        f"<h1>{escape(message.title)}</h1><p>{escape(message.text)}</p></body></html>"
    )
    mail.add_alternative(html, subtype="html")
    return mail


def sign_webhook(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


def verify_webhook(secret: str, timestamp: str, body: bytes, signature: str, now: float) -> bool:
    """The receiver's check (README): the body signed with our secret, sent within five
    minutes of ``now`` (Unix seconds). A receiver also drops an ``id`` it has seen."""
    try:
        sent = int(timestamp)
    except ValueError:
        return False
    if abs(now - sent) > WEBHOOK_TOLERANCE:
        return False
    return hmac.compare_digest(sign_webhook(secret, timestamp, body), signature)


def webhook_payload(message: Message) -> dict[str, Any]:
    member = message.member
    return {
        "id": message.notification_id,
        "kind": message.kind,
        "created_at": message.created_at.isoformat(),
        "member": {
            "id": member.id,
            "card_no": member.card_no,
            "name": member.name,
            "phone": f"+86{member.phone}",
            "email": member.contact_email,
            "language": member.language,
        },
        "title": message.title,
        "text": message.text,
        "values": message.values,
    }


class WebhookChannel:
    name = "webhook"

    async def send(self, message: Message) -> None:
        hook = get_outbound().webhook
        if hook is None:
            raise ChannelError("no webhook set up", permanent=True)
        body = json.dumps(webhook_payload(message), ensure_ascii=False).encode()
        timestamp = str(int(time.time()))  # the real clock: receivers compare with theirs
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "X-Palace-Timestamp": timestamp,
            "X-Palace-Signature": sign_webhook(hook.secret, timestamp, body),
        }
        await post(hook.url, body, headers)


async def post(url: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
    """POST and return a 2xx answer; anything else is a ChannelError with its reason."""
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT) as client:
            response = await client.post(url, content=body, headers=headers)
    except httpx.HTTPError as error:
        raise ChannelError(f"{type(error).__name__}: {error}") from None
    if response.is_success:
        return response
    reason = f"HTTP {response.status_code}: {response.text[:300]}"
    # A 4xx says the request is wrong: the same request will not do better (408/429 may).
    permanent = 400 <= response.status_code < 500 and response.status_code not in (408, 429)
    raise ChannelError(reason, permanent=permanent)


async def choices(*, member_id: int) -> set[str]:
    rows = await OutboundChoice.filter(member_id=member_id).only("kind")
    return {row.kind for row in rows}


async def choose(*, member_id: int, kinds: list[str]) -> set[str]:
    """Replace the kinds the member wants outside the app."""
    wanted = set(kinds)
    if not wanted <= set(notices.OUTBOUND_KINDS):
        raise ServiceError("unknown_outbound_kind")
    async with after_commit.transaction():
        before = await choices(member_id=member_id)
        await OutboundChoice.filter(member_id=member_id).exclude(kind__in=wanted).delete()
        for kind in sorted(wanted - before):
            await OutboundChoice.create(member_id=member_id, kind=kind)
        if before != wanted:
            await audit.record(
                actor_id=member_id,
                entity="member",
                entity_id=member_id,
                action="outbound_choices",
                detail={"from": sorted(before), "to": sorted(wanted)},
            )
    return wanted
