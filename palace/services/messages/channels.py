"""Outbound channels: the same notifications, also sent outside the app.

A member picks the kinds they want (``choose``); ``notify`` queues a delivery job for
those after its commit, and the sweep finds any delivery a lost job left undone. The
channel is chosen by PALACE_OUTBOUND_CHANNEL; only ``log`` (write the message to the
log) exists today. SMS, e-mail or a WeChat template message fit the same interface.
"""

import logging
from datetime import timedelta
from typing import Protocol

from palace.models import Member, Notification, OutboundChoice
from palace.services.core import after_commit, audit, clock
from palace.services.core.errors import ServiceError
from palace.services.messages import notices
from palace.settings import get_settings

log = logging.getLogger("palace.outbound")
# Older undelivered messages are stale: nobody wants yesterday's offer by SMS.
SWEEP_WINDOW = timedelta(hours=6)


class Channel(Protocol):
    name: str

    async def send(self, *, member: Member, title: str, text: str) -> None: ...


class LogChannel:
    """Writes each message to the log: the default until a real channel is set up."""

    name = "log"

    async def send(self, *, member: Member, title: str, text: str) -> None:
        log.info("message to member %s (%s): %s — %s", member.id, member.phone, title, text)


CHANNELS: dict[str, Channel] = {"log": LogChannel()}


def channel() -> Channel:
    return CHANNELS[get_settings().outbound_channel]


async def deliver(*, notification_id: int) -> bool:
    """Send one notification outside the app, once; False when there was nothing to do."""
    notification = await Notification.get_or_none(id=notification_id).select_related("member")
    if notification is None or notification.sent_at is not None:
        return False
    via = channel()
    # Claimed first, so two workers never both send it.
    claimed = await Notification.filter(id=notification_id, sent_at__isnull=True).update(
        sent_at=clock.now(), sent_via=via.name
    )
    if not claimed:
        return False
    member = notification.member
    places = await notices.places_for([notification])
    try:
        await via.send(
            member=member,
            title=notices.title(notification, member.language),
            text=notices.text(notification, member.language, places),
        )
    except Exception:
        # Given back for the sweep to try again.
        await Notification.filter(id=notification_id).update(sent_at=None, sent_via=None)
        raise
    return True


async def sweep() -> int:
    """Deliver what lost jobs left undelivered; returns how many were sent."""
    since = clock.now() - SWEEP_WINDOW
    pending = await Notification.filter(sent_at__isnull=True, created_at__gte=since).only("id")
    sent = 0
    for row in pending:
        sent += await deliver(notification_id=row.id)
    return sent


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
