"""Where and when a member is reached outside the app: e-mail address, channels, quiet hours.

Quiet hours are minutes after midnight in palace time; a start later than the end crosses
midnight (22:00–07:00), and a night-shift worker's 08:00–16:00 is as valid. Inside them
nothing but an offer goes out (``deliveries`` holds the rest until they end).
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from palace.models import Member, OutboundChoice
from palace.outbound_settings import get_outbound
from palace.services.core import after_commit, audit, clock
from palace.services.core.errors import ServiceError

EMAIL_MAX = 254
# A plain check: one @, a dot in the domain, no spaces. The mail server has the last word.
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass(frozen=True)
class Contact:
    """What the settings page shows: the member's choices and what they may pick from."""

    email: str
    channels: tuple[str, ...]
    quiet_start: str
    quiet_end: str
    available: tuple[str, ...]
    kinds: set[str]  # the kinds of message they want outside the app (channels.choose)


def picked_by(member: Member) -> tuple[str, ...]:
    return tuple(c for c in (member.outbound_channels or "").split(",") if c)


def channels_of(member: Member) -> tuple[str, ...]:
    """The channels a message goes by: the member's pick among those set up, else the
    palace's default channel."""
    outbound = get_outbound()
    picked = tuple(c for c in picked_by(member) if c in outbound.channels)
    return picked or (outbound.default_channel,)


def quiet_until(member: Member, at: datetime) -> datetime | None:
    """When the member's quiet hours around ``at`` end; None when ``at`` is outside them."""
    start, end = member.quiet_start, member.quiet_end
    if start is None or end is None or start == end:
        return None
    local = at.astimezone(clock.zone())
    minute = local.hour * 60 + local.minute
    inside = start <= minute < end if start < end else (minute >= start or minute < end)
    if not inside:
        return None
    day = local.date() if minute < end else local.date() + timedelta(days=1)
    return clock.at(day, end)


async def contact(*, member_id: int) -> Contact:
    member = await Member.get(id=member_id)
    return Contact(
        email=member.contact_email or "",
        channels=picked_by(member),
        quiet_start=_hhmm(member.quiet_start),
        quiet_end=_hhmm(member.quiet_end),
        available=get_outbound().channels,
        kinds={c.kind for c in await OutboundChoice.filter(member_id=member_id).only("kind")},
    )


def _hhmm(minute: int | None) -> str:
    return "" if minute is None else clock.hhmm(minute)


def _email(raw: str) -> str | None:
    email = raw.strip()
    if not email:
        return None
    if len(email) > EMAIL_MAX or not _EMAIL.fullmatch(email):
        raise ServiceError("email_invalid", fields={"email": "email_invalid"})
    return email


def _quiet(start: str, end: str) -> tuple[int | None, int | None]:
    if not start.strip() and not end.strip():
        return None, None
    first, last = clock.parse_minute(start), clock.parse_minute(end)
    if first is None or last is None or first == last:
        raise ServiceError("quiet_hours_invalid", fields={"quiet_start": "quiet_hours_invalid"})
    return first, last


def _channels(picked: list[str], email: str | None) -> str | None:
    available = get_outbound().channels
    if not set(picked) <= set(available):
        raise ServiceError("unknown_channel")
    if "email" in picked and email is None:
        raise ServiceError("email_needed", fields={"email": "email_needed"})
    return ",".join(c for c in available if c in picked) or None


async def save(
    *, member_id: int, email: str, channels: list[str], quiet_start: str, quiet_end: str
) -> Member:
    """Replace the member's contact address, channels and quiet hours (all checked first)."""
    address = _email(email)
    chosen = _channels(channels, address)
    start, end = _quiet(quiet_start, quiet_end)
    member = await Member.get(id=member_id)
    before = (member.contact_email, member.outbound_channels, member.quiet_start, member.quiet_end)
    after = (address, chosen, start, end)
    if before == after:
        return member
    async with after_commit.transaction():
        await Member.filter(id=member_id).update(
            contact_email=address, outbound_channels=chosen, quiet_start=start, quiet_end=end
        )
        # The address is personal: the audit says that it changed, not what it is.
        await audit.record(
            actor_id=member_id,
            entity="member",
            entity_id=member_id,
            action="contact_settings",
            detail={"channels": chosen, "email_changed": before[0] != address,
                    "quiet": [start, end]},
        )  # fmt: skip
    return await Member.get(id=member_id)
