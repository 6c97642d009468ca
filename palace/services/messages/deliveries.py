"""One delivery path: each notification a member wants outside the app, sent by each of
their channels from a worker, every attempt recorded.

``notifications.notify`` writes one ``Delivery`` per channel in the transaction that
writes the notification, and queues a job per delivery after the commit. ``attempt`` makes one
try if one is due: it claims the row first (``next_attempt_at`` pushed forward, so two
workers never both send), sends, and records the outcome as the row's state and as an
audit event (failed with the provider's reason, sent, given up). A failure is tried
again after a doubling pause, up to PALACE_DELIVERY_ATTEMPTS; then it is given up and
staff see it (``troubled``) and may ``retry``. Inside the member's quiet hours nothing
but an offer goes out: the rest waits, unattempted, until they end. ``sweep`` finds
every due delivery in the database, so a lost job only delays a message.
"""

import logging
import time
from datetime import datetime, timedelta

from tortoise.expressions import F, Subquery

from palace import metrics
from palace.models import Delivery, DeliveryStatus, Member, Notification, OutboundChoice
from palace.outbound_settings import get_outbound
from palace.services.core import after_commit, audit, clock
from palace.services.core.errors import NotFound
from palace.services.messages import contacts, notices, notifications
from palace.services.messages.channels import (
    Channel,
    ChannelError,
    EmailChannel,
    LogChannel,
    Message,
    WebhookChannel,
)
from palace.services.messages.sms import TencentSmsChannel

log = logging.getLogger("palace.outbound")
OPEN = (DeliveryStatus.QUEUED, DeliveryStatus.FAILED)
TROUBLED = (DeliveryStatus.FAILED, DeliveryStatus.GIVEN_UP)
# How long an attempt holds its claim: longer than any provider's timeout, so only a dead
# worker's claim runs out.
LEASE = timedelta(seconds=90)
# The longest pause between two attempts.
MAX_PAUSE = timedelta(hours=1)
# A message not out within a day is of no use any more (yesterday's offer, reminder).
STALE = timedelta(days=1)
# Notifications older than this are not looked at for missing deliveries.
PLAN_WINDOW = timedelta(hours=6)
# The sweep's own time budget: what is left waits for the next sweep, a minute later.
SWEEP_SECONDS = 30.0
SWEEP_LIMIT = 200
CHANNELS: dict[str, Channel] = {
    "log": LogChannel(),
    "email": EmailChannel(),
    "webhook": WebhookChannel(),
    "sms": TencentSmsChannel(),
}


def channel(name: str) -> Channel:
    if name not in CHANNELS:
        raise ChannelError(f"unknown channel {name!r}", permanent=True)
    return CHANNELS[name]


def pause(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failure: the base, doubling each time."""
    seconds = get_outbound().backoff_seconds * 2 ** max(attempts - 1, 0)
    return min(timedelta(seconds=seconds), MAX_PAUSE)


async def reach_time(*, member_id: int, kind: str) -> timedelta:
    """How long the member's slowest chosen channel usually takes to reach them with this
    kind of message (nothing when they did not ask for it outside the app)."""
    if not await OutboundChoice.exists(member_id=member_id, kind=kind):
        return timedelta(0)
    member = await Member.get(id=member_id)
    minutes = get_outbound().reach_minutes
    longest: int = max(minutes.get(c, 0) for c in contacts.channels_of(member))
    return timedelta(minutes=longest)


async def attempt(*, delivery_id: int) -> Delivery | None:
    """Make one attempt if one is due; the delivery as it stands after, None when none was."""
    now = clock.now()
    delivery = await Delivery.get_or_none(id=delivery_id).select_related("notification__member")
    if delivery is None or delivery.status not in OPEN or delivery.next_attempt_at is None:
        return None
    if clock.utc(delivery.next_attempt_at) > now:
        return None
    notification = delivery.notification
    held = _held_until(notification, now)
    if held is not None:
        # Not an attempt: the member is asleep. The sweep sends it when quiet hours end.
        await Delivery.filter(id=delivery_id, status__in=OPEN).update(next_attempt_at=held)
        return await Delivery.get(id=delivery_id)
    claimed = await Delivery.filter(
        id=delivery_id, status__in=OPEN, next_attempt_at__lte=now
    ).update(next_attempt_at=now + LEASE, attempts=F("attempts") + 1)
    if not claimed:
        return None  # another worker has it
    try:
        await channel(delivery.channel).send(await message(notification))
    except ChannelError as error:
        return await _failed(delivery, error)
    except Exception as error:
        log.exception("delivery %s by %s", delivery_id, delivery.channel)
        return await _failed(delivery, ChannelError(f"{type(error).__name__}: {error}"))
    return await _sent(delivery)


def _held_until(notification: Notification, now: datetime) -> datetime | None:
    if notification.kind == "waitlist_offer":
        return None  # an offer cannot wait: it runs out (its expiry allows for the channel)
    return contacts.quiet_until(notification.member, now)


async def message(notification: Notification) -> Message:
    """The notification in its member's language, as channels send it."""
    member = notification.member
    lang = member.language
    places = await notices.places_for([notification])
    values = notices.values(notification, lang, places)
    return Message(
        notification_id=notification.id,
        kind=notification.kind,
        member=member,
        title=notices.title(notification, lang),
        text=notices.text(notification, lang, places),
        created_at=clock.utc(notification.created_at),
        values={k: str(v) for k, v in values.items()},
    )


async def _sent(delivery: Delivery) -> Delivery:
    now = clock.now()
    async with after_commit.transaction():
        await Delivery.filter(id=delivery.id).update(
            status=DeliveryStatus.SENT, sent_at=now, next_attempt_at=None, last_error=None
        )
        # The notification keeps its first way out (the inbox and old readers look there).
        await Notification.filter(id=delivery.notification_id, sent_at__isnull=True).update(
            sent_at=now, sent_via=delivery.channel
        )
        await _record(delivery, DeliveryStatus.SENT)
    return await Delivery.get(id=delivery.id)


async def _failed(delivery: Delivery, error: ChannelError) -> Delivery:
    fresh = await Delivery.get(id=delivery.id)
    done = error.permanent or fresh.attempts >= get_outbound().max_attempts
    status = DeliveryStatus.GIVEN_UP if done else DeliveryStatus.FAILED
    async with after_commit.transaction():
        await Delivery.filter(id=delivery.id).update(
            status=status,
            last_error=error.reason,
            next_attempt_at=None if done else clock.now() + pause(fresh.attempts),
        )
        await _record(delivery, status, error=error.reason)
    metrics.DELIVERY_FAILURES.labels(channel=delivery.channel, final=str(done).lower()).inc()
    log.warning("delivery %s by %s: %s (%s)", delivery.id, delivery.channel, error.reason, status)
    return await Delivery.get(id=delivery.id)


async def _record(delivery: Delivery, status: DeliveryStatus, **detail: object) -> None:
    await audit.record(
        actor_id=None,
        entity="delivery",
        entity_id=delivery.id,
        action="attempt",
        from_state=delivery.status,
        to_state=status,
        detail={"channel": delivery.channel, "notification_id": delivery.notification_id,
                **detail},
    )  # fmt: skip


async def deliver(*, notification_id: int) -> bool:
    """Attempt every due delivery of one notification; True when one was sent."""
    found = await Delivery.filter(notification_id=notification_id, status__in=OPEN).only("id")
    results = [await attempt(delivery_id=d.id) for d in found]
    return any(r is not None and r.status == DeliveryStatus.SENT for r in results)


async def sweep() -> int:
    """Send what is due (lost jobs, retries, quiet hours over); returns how many were sent."""
    await _plan_missing()
    await _give_up_stale()
    due = (
        await Delivery.filter(status__in=OPEN, next_attempt_at__lte=clock.now())
        .order_by("next_attempt_at", "id")
        .limit(SWEEP_LIMIT)
        .only("id")
    )
    started, sent = time.monotonic(), 0
    for row in due:
        if time.monotonic() - started > SWEEP_SECONDS:
            break  # the next sweep goes on; jobs keep running meanwhile
        result = await attempt(delivery_id=row.id)
        sent += result is not None and result.status == DeliveryStatus.SENT
    return sent


async def _plan_missing() -> None:
    """Notifications waiting to go out that have no delivery (written before deliveries
    existed): planned now."""
    since = clock.now() - PLAN_WINDOW
    missing = await Notification.filter(sent_at__isnull=True, created_at__gte=since).exclude(
        id__in=Subquery(Delivery.all().values("notification_id"))
    )
    for notification in missing:
        async with after_commit.transaction():
            await notifications.plan_deliveries(notification)


async def _give_up_stale() -> None:
    old = clock.now() - STALE
    await Delivery.filter(status__in=OPEN, created_at__lt=old).update(
        status=DeliveryStatus.GIVEN_UP, next_attempt_at=None, last_error="not sent within a day"
    )


async def forget(*, member_id: int) -> int:
    """A closed account's messages go out no more (data_rights.close, in its transaction)."""
    return await Delivery.filter(
        status__in=OPEN,
        notification_id__in=Subquery(Notification.filter(member_id=member_id).values("id")),
    ).update(status=DeliveryStatus.GIVEN_UP, next_attempt_at=None, last_error="account closed")


async def troubled(*, limit: int = 100) -> list[Delivery]:
    """Recent deliveries that failed or were given up, for staff, newest first."""
    return (
        await Delivery.filter(status__in=TROUBLED)
        .select_related("notification__member")
        .order_by("-updated_at", "-id")
        .limit(limit)
    )


async def retry(*, actor_id: int, delivery_id: int) -> Delivery:
    """Staff try a failed or given-up delivery again, with a fresh count of attempts."""
    async with after_commit.transaction():
        delivery = await Delivery.get_or_none(id=delivery_id)
        if delivery is None:
            raise NotFound("unknown_delivery")
        reopened = await Delivery.filter(id=delivery_id, status__in=TROUBLED).update(
            status=DeliveryStatus.QUEUED, attempts=0, next_attempt_at=clock.now()
        )
        if not reopened:
            return delivery  # sent or on its way already (a second click)
        event = await audit.record(
            actor_id=actor_id, entity="delivery", entity_id=delivery_id, action="retry",
            from_state=delivery.status, to_state=DeliveryStatus.QUEUED,
            detail={"channel": delivery.channel},
        )  # fmt: skip
        job_id = f"delivery:{delivery_id}:retry:{event.id}"
        await after_commit.enqueue("send_delivery", delivery_id, job_id=job_id)
    return await Delivery.get(id=delivery_id)
