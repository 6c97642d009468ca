"""The member's private calendar feed address (as palace/web/calendars.py)."""

import msgspec

from palace.api.operations import MEMBER, Call, operation
from palace.services.booking import calendars
from palace.web.calendars import feed_url

TAG = "calendars"


class Feed(msgspec.Struct, frozen=True):
    url: str | None  # what a calendar app subscribes to; None: turned off


@operation("GET", "/calendar/feed", scopes=MEMBER, tag=TAG, response=Feed)
async def feed(call: Call[None, None]) -> Feed:
    """My calendar address, if I have turned it on."""
    found = await calendars.feed_for(member_id=call.member_id)
    return Feed(feed_url(call.request, found))


@operation("POST", "/calendar/feed", scopes=MEMBER, tag=TAG, response=Feed)
async def renew(call: Call[None, None]) -> Feed:
    """Turn my calendar address on, or give me a new one (the old one stops working)."""
    made, _replaced = await calendars.renew_feed(member_id=call.member_id)
    return Feed(feed_url(call.request, made))


@operation("DELETE", "/calendar/feed", scopes=MEMBER, tag=TAG)
async def revoke_feed(call: Call[None, None]) -> None:
    """Turn my calendar address off."""
    await calendars.revoke_feed(member_id=call.member_id)


operations = [feed, renew, revoke_feed]
