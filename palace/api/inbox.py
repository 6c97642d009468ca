"""The inbox and its unread count (as palace/web/inbox.py)."""

import msgspec

from palace.api.operations import MEMBER, Call, operation
from palace.api.shapes import Instant
from palace.services.core import clock
from palace.services.messages import inbox

TAG = "inbox"


class Message(msgspec.Struct, frozen=True):
    id: int
    kind: str
    title: str  # in the language asked
    text: str
    created_at: Instant
    unread: bool
    booking_id: int | None
    offer_entry_id: int | None  # an offer still open: accept or decline it by this id


class Unread(msgspec.Struct, frozen=True):
    count: int


def message_of(item: inbox.Item) -> Message:
    n = item.notification
    offer = item.offer.id if item.offer is not None else None
    return Message(n.id, n.kind, item.title, item.text, clock.utc(n.created_at), item.unread,
                   n.booking_id, offer)  # fmt: skip


@operation("GET", "/inbox", scopes=MEMBER, tag=TAG, response=list[Message])
async def messages(call: Call[None, None]) -> list[Message]:
    """My messages, newest first (the latest 50)."""
    found = await inbox.items(member_id=call.member_id, lang=call.lang)
    return [message_of(item) for item in found]


@operation("GET", "/inbox/unread", scopes=MEMBER, tag=TAG, response=Unread)
async def unread(call: Call[None, None]) -> Unread:
    """How many of my messages are unread (the badge)."""
    return Unread(await inbox.unread(member_id=call.member_id))


@operation("POST", "/inbox/read", scopes=MEMBER, tag=TAG, response=Unread)
async def read_all(call: Call[None, None]) -> Unread:
    """Mark every message read; answers the unread count left (0)."""
    await inbox.mark_read(member_id=call.member_id)
    return Unread(await inbox.unread(member_id=call.member_id))


@operation("POST", "/inbox/{notification_id}/read", scopes=MEMBER, tag=TAG, response=Unread)
async def read_one(call: Call[None, None]) -> Unread:
    """Mark one message read; answers the unread count left."""
    await inbox.mark_read(member_id=call.member_id,
                          notification_id=call.path_id("notification_id"))  # fmt: skip
    return Unread(await inbox.unread(member_id=call.member_id))


operations = [messages, unread, read_all, read_one]
