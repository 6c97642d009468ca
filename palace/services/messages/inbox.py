"""The member's in-app inbox: their notifications, newest first, and what is unread."""

from dataclasses import dataclass

from palace.models import Notification, WaitlistEntry, WaitStatus
from palace.services.core import clock
from palace.services.messages import notices

PAGE = 50


@dataclass(frozen=True)
class Item:
    notification: Notification
    title: str
    text: str
    offer: WaitlistEntry | None  # an offer still open: the member can accept or decline
    link: tuple[str, str] | None = None  # where the message leads, and the link's words

    @property
    def unread(self) -> bool:
        return self.notification.read_at is None


async def items(*, member_id: int, lang: str, limit: int = PAGE) -> list[Item]:
    found = await Notification.filter(member_id=member_id).order_by("-id").limit(limit)
    places = await notices.places_for(found)
    offers = await _open_offers(member_id, found)
    return [
        Item(
            notification=n,
            title=notices.title(n, lang),
            text=notices.text(n, lang, places),
            offer=offers.get(_entry_id(n) or 0),
            link=notices.link(n, places),
        )
        for n in found
    ]


def _entry_id(notification: Notification) -> int | None:
    if notification.kind != "waitlist_offer" or not isinstance(notification.detail, dict):
        return None
    value = notification.detail.get("entry_id")
    return value if isinstance(value, int) else None


async def _open_offers(member_id: int, found: list[Notification]) -> dict[int, WaitlistEntry]:
    ids = [i for i in (_entry_id(n) for n in found) if i is not None]
    if not ids:
        return {}
    entries = await WaitlistEntry.filter(
        id__in=ids,
        member_id=member_id,
        status=WaitStatus.OFFERED,
        offer_expires_at__gt=clock.now(),
    )
    return {e.id: e for e in entries}


async def unread(*, member_id: int) -> int:
    # Pages get the same count with the session lookup (logins._RESOLVE_UNREAD).
    return await Notification.filter(member_id=member_id, read_at__isnull=True).count()


async def mark_read(*, member_id: int, notification_id: int | None = None) -> int:
    """Mark one of the member's notifications read, or all of them; returns how many."""
    query = Notification.filter(member_id=member_id, read_at__isnull=True)
    if notification_id is not None:
        query = query.filter(id=notification_id)
    return await query.update(read_at=clock.now())
