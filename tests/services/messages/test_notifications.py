"""Telling many members at once: the same rows and deliveries as telling each in turn."""

from palace.models import Delivery, Notification
from palace.services.core import after_commit
from palace.services.messages import channels, notifications
from tests.helpers import make_members


async def test_telling_many_is_telling_each() -> None:
    outside, *others = await make_members(3)
    await channels.choose(member_id=outside.id, kinds=["queue_lost"])
    detail = {"queue_id": 7, "facility_id": 1, "starts_at": "2026-12-15T00:00:00+08:00"}
    async with after_commit.transaction():
        told = await notifications.notify_many(
            member_ids=[m.id for m in (outside, *others)], kind="queue_lost", detail=detail
        )
    assert told == 3
    rows = {n.member_id: n for n in await Notification.filter(kind="queue_lost")}
    assert sorted(rows) == sorted(m.id for m in (outside, *others))
    assert all(n.detail == detail and n.read_at is None for n in rows.values())  # unread
    # Asked for outside the app: a delivery to send; the rest are done with at once.
    [planned] = await Delivery.all()
    assert planned.notification_id == rows[outside.id].id
    assert rows[outside.id].sent_at is None
    assert all(rows[m.id].sent_at is not None for m in others)
