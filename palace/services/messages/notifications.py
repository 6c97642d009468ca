"""The one notification path: ``notify`` writes the row, in the caller's transaction.

The in-app inbox reads these rows; outbound channels (SMS, e-mail, WeChat) deliver
them from a worker. A service that has something to tell a member calls ``notify``
inside the transaction that makes the change, so the message exists exactly when the
change does; a member who asked for this kind outside the app gets a delivery per
channel, sent by a worker after the commit (and by the sweep, if that job is lost).
"""

from typing import Any

from palace.models import Delivery, Member, Notification, OutboundChoice
from palace.services.booking.slots import Terms
from palace.services.core import after_commit, clock
from palace.services.messages import contacts


async def notify(
    *,
    member_id: int,
    kind: str,
    booking_id: int | None = None,
    detail: dict[str, Any] | None = None,
    seen: bool = False,
    wanted: bool | None = None,
) -> Notification:
    """Record that a member should be told something; ``kind`` names what (a message id).

    ``seen``: the member is looking at it already (their own tap), so it does not light
    the unread badge; it is still listed and still sent outside when asked for.
    ``wanted``: whether the member asked for this kind outside the app, where the
    caller read it already.
    """
    now = clock.now()
    if wanted is None:
        wanted = await OutboundChoice.exists(member_id=member_id, kind=kind)
    notification = await Notification.create(
        member_id=member_id,
        kind=kind,
        booking_id=booking_id,
        detail=detail or {},
        read_at=now if seen else None,
        # Nothing to send outside: the outbound step is done at once.
        sent_at=None if wanted else now,
    )
    if wanted:
        await plan_deliveries(notification)
    return notification


async def notify_many(*, member_ids: list[int], kind: str, detail: dict[str, Any]) -> int:
    """``notify`` for many members at once, with the same ``detail`` (everyone a draw
    left without a place): one read of who wants it outside the app, one insert for the
    rest. Returns how many were told."""
    chosen = OutboundChoice.filter(member_id__in=member_ids, kind=kind).only("member_id")
    wanted = {choice.member_id for choice in await chosen}
    now = clock.now()
    await Notification.bulk_create(
        [Notification(member_id=member_id, kind=kind, detail=detail, sent_at=now)
         for member_id in member_ids if member_id not in wanted],
        batch_size=500,
    )  # fmt: skip
    for member_id in wanted:  # few: each gets its deliveries planned, as notify does
        await notify(member_id=member_id, kind=kind, detail=detail, wanted=True)
    return len(member_ids)


async def plan_deliveries(notification: Notification) -> list[Delivery]:
    """A delivery per channel of the member, in the caller's transaction; a job for each
    after the commit (services/messages/deliveries sends them)."""
    member = await Member.get(id=notification.member_id)
    planned = []
    for name in contacts.channels_of(member):
        delivery = await Delivery.create(
            notification_id=notification.id, channel=name, next_attempt_at=clock.now()
        )
        await after_commit.enqueue("send_delivery", delivery.id, job_id=f"delivery:{delivery.id}")
        planned.append(delivery)
    return planned


def slot_detail(terms: Terms) -> dict[str, Any]:
    """What a message about a place says: where and when (names are read when shown)."""
    return {
        "facility_id": terms.facility.id,
        "resource_id": terms.resource.id,
        "slot_id": terms.slot.id,
        "starts_at": terms.starts_at.isoformat(),
    }
