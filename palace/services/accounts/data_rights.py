"""A member's rights over their data (China's PIPL): a copy of it, and closing the account.

``export`` gathers what the palace keeps about the member: profile, children, bookings,
partner invitations, waitlist entries, messages, strikes and suspensions, and the audit
events about them, as plain JSON-ready values. Nothing of another member's goes in: a
partner's card number is left out of the member's messages and events, and bookings a
desk clerk held for named guests are the guests', not the clerk's.

``close`` ends the account for good, once the member confirms with their password:
places still to come are given back through the booking core's release (as disabling
an account does), lines and partner places are left, and every personal field is
replaced (name by "Closed account #id", card and phone by placeholders nobody can
type, the password by one nothing matches, children's names removed). The bookings and
the audit trail stay, for the palace's statistics.
"""

from datetime import datetime
from typing import Any

from tortoise.models import Model

from palace.models import (
    AuditEvent,
    Booking,
    BookingStatus,
    CalendarFeed,
    Child,
    InvitationStatus,
    Member,
    MemberStatus,
    Notification,
    OutboundChoice,
    PartnerInvitation,
    Role,
    Strike,
    Suspension,
    WaitlistEntry,
)
from palace.models.waitlists import LIVE
from palace.services.accounts import passwords, sessions
from palace.services.booking import bookings, partners
from palace.services.core import after_commit, audit, clock
from palace.services.core.errors import AccountError, NotAllowed
from palace.services.waitlist import waitlists
from palace.settings import get_settings

# Keys of messages' and events' details that name another member.
OTHERS = frozenset({"card", "partner_id", "booker_id", "guest_name", "invited", "removed"})
CLOSED_NAME = {"zh-CN": "已注销会员 #{id}", "en": "Closed account #{id}"}
# No argon2 hash starts with "!": verifying any password against it fails.
UNUSABLE_HASH = "!closed"


def _plain(value: object) -> object:
    if isinstance(value, datetime):
        return clock.utc(value).isoformat()
    return getattr(value, "value", value)


def _row(row: Model, fields: tuple[str, ...]) -> dict[str, object]:
    return {name: _plain(getattr(row, name)) for name in fields}


def _own(detail: object) -> object:
    """A detail without what names someone else."""
    if not isinstance(detail, dict):
        return detail
    return {key: value for key, value in detail.items() if key not in OTHERS}


PROFILE = ("id", "card_no", "name", "phone", "role", "status", "language", "created_at",
           "booking_suspended_until", "suspension_reason", "suspension_ends_at")  # fmt: skip
BOOKING = ("id", "slot_id", "facility_id", "resource_id", "child_id", "starts_at", "ends_at",
           "status", "source", "created_at", "cancelled_at", "checked_in_at")  # fmt: skip
ENTRY = ("id", "slot_id", "child_id", "mode", "status", "offered_at", "offer_expires_at",
         "booking_id", "created_at")  # fmt: skip


async def export(*, member_id: int) -> dict[str, Any]:
    """Everything the palace keeps about the member, as JSON-ready values."""
    member = await Member.get_or_none(id=member_id)
    if member is None:
        raise AccountError("unknown_member")
    own = await Booking.filter(member_id=member_id, guest_name__isnull=True).order_by("id")
    entries = await WaitlistEntry.filter(member_id=member_id).order_by("id")
    return {
        "exported_at": clock.now().isoformat(),
        "profile": _row(member, PROFILE),
        "children": [
            _row(c, ("id", "name", "birth_year", "active", "created_at"))
            for c in await Child.filter(parent_id=member_id).order_by("id")
        ],
        "bookings": [_booking(b) for b in own],
        "partner_invitations": await _invitations(member),
        "waitlist_entries": [_row(e, ENTRY) for e in entries],
        "messages": await _messages(member_id),
        "strikes": await _strikes(member_id),
        "audit_events": await _events(member_id, [b.id for b in own], [e.id for e in entries]),
    }


def _booking(booking: Booking) -> dict[str, object]:
    return _row(booking, BOOKING)


async def _invitations(member: Member) -> dict[str, list[dict[str, object]]]:
    """Invitations to the member, and on their bookings (without the cards they named)."""
    fields = ("id", "booking_id", "status", "created_at", "answered_at")
    received = PartnerInvitation.filter(member_id=member.id).order_by("id")
    sent = PartnerInvitation.filter(booking__member_id=member.id).order_by("id")
    return {
        "received": [_row(i, fields) for i in await received],
        "sent": [_row(i, fields) for i in await sent],
    }


async def _messages(member_id: int) -> list[dict[str, object]]:
    fields = ("id", "kind", "booking_id", "created_at", "sent_at", "sent_via", "read_at")
    found = await Notification.filter(member_id=member_id).order_by("id")
    return [{**_row(n, fields), "detail": _own(n.detail)} for n in found]


async def _strikes(member_id: int) -> dict[str, list[dict[str, object]]]:
    strike_fields = ("id", "booking_id", "at", "created_at", "waived_at", "waive_reason")
    suspension_fields = ("id", "strike_id", "starts_at", "ends_at", "lifted_at")
    return {
        "strikes": [_row(s, strike_fields) for s in await Strike.filter(member_id=member_id)],
        "suspensions": [
            _row(s, suspension_fields) for s in await Suspension.filter(member_id=member_id)
        ],
    }


async def _events(member_id: int, booking_ids: list[int], entry_ids: list[int]) -> list[object]:
    """Events about the member's account, bookings and places in line."""
    found: list[AuditEvent] = [
        *await AuditEvent.filter(entity="member", entity_id=member_id),
        *await AuditEvent.filter(entity="booking", entity_id__in=booking_ids),
        *await AuditEvent.filter(entity="waitlist_entry", entity_id__in=entry_ids),
    ]
    fields = ("id", "at", "entity", "entity_id", "action", "from_state", "to_state")
    return [
        {
            **_row(e, fields),
            # Who acted, naming no other member: the member, or the palace (staff, a job).
            "by": "you" if e.actor_id == member_id else "palace",
            "detail": _own(e.detail),
        }
        for e in sorted(found, key=lambda e: e.id)
    ]


async def close(*, member_id: int, password: str) -> None:
    """Close the member's own account for good, once their password is confirmed."""
    member = await Member.get_or_none(id=member_id)
    if member is None:
        raise AccountError("unknown_member")
    if member.role != Role.MEMBER:
        # A staff account is the palace's: an administrator disables it.
        raise NotAllowed("close_staff_account")
    # Checked outside the transaction (argon2 is slow), then again that it did not change.
    if not await passwords.verify_password(member.password_hash, password[:1024]):
        raise AccountError("invalid", fields={"password": "wrong_password"})
    async with after_commit.transaction():
        locked = await Member.select_for_update().get(id=member_id)
        if locked.password_hash != member.password_hash:
            raise AccountError("invalid", fields={"password": "wrong_password"})
        await _give_back(member_id)
        await _forget(locked)
        await audit.record(
            actor_id=member_id,
            entity="member",
            entity_id=member_id,
            action="account_closed",
            from_state=member.status.value,
            to_state=MemberStatus.DISABLED.value,
        )


async def _give_back(member_id: int) -> None:
    """Places still to come go back to everyone else, as when an account is disabled."""
    await bookings.release_upcoming(
        member_id=member_id, actor_id=member_id, action="account_closed"
    )
    for entry in await WaitlistEntry.filter(member_id=member_id, status__in=LIVE):
        await waitlists.leave(member_id=member_id, entry_id=entry.id)
    for invitation in await PartnerInvitation.filter(
        member_id=member_id,
        status__in=(InvitationStatus.PENDING, InvitationStatus.ACCEPTED),
        booking__status=BookingStatus.CONFIRMED,
        booking__starts_at__gt=clock.now(),
    ):
        if invitation.status == InvitationStatus.PENDING:
            await partners.answer(
                member_id=member_id, booking_id=invitation.booking_id, accept=False
            )
        else:
            await partners.leave(member_id=member_id, booking_id=invitation.booking_id)


async def _forget(member: Member) -> None:
    """Replace every personal field; keep the rows the statistics count."""
    old_card, placeholder = member.card_no, f"closed-{member.id}"
    language = get_settings().default_language
    member.name = CLOSED_NAME.get(language, CLOSED_NAME["en"]).format(id=member.id)
    member.card_no = member.phone = placeholder
    member.password_hash = UNUSABLE_HASH
    member.status = MemberStatus.DISABLED
    member.suspension_reason = None
    await member.save()
    await Child.filter(parent_id=member.id).update(name="", active=False)
    await sessions.end_all(member_id=member.id)
    await CalendarFeed.filter(member_id=member.id).delete()
    await OutboundChoice.filter(member_id=member.id).delete()
    # Others named the member by card on their bookings: the card goes everywhere it was kept.
    await PartnerInvitation.filter(card_no=old_card).update(card_no=placeholder)
    await _replace_card(old_card, placeholder)


async def _replace_card(old_card: str, placeholder: str) -> None:
    """In the details of partner messages and events, which name cards (``card``, and
    the ``invited``/``removed`` lists of a booking's partner changes)."""
    found: list[AuditEvent | Notification] = [
        *await AuditEvent.filter(entity="booking", action__startswith="partner"),
        *await Notification.filter(kind__startswith="partner"),
    ]
    for row in found:
        swapped = _swap(row.detail, old_card, placeholder)
        if swapped != row.detail:
            await type(row).filter(id=row.id).update(detail=swapped)


def _swap(value: Any, old: str, new: str) -> Any:
    """``value`` with every string equal to ``old`` (in dicts and lists) made ``new``."""
    if isinstance(value, dict):
        return {key: _swap(item, old, new) for key, item in value.items()}
    if isinstance(value, list):
        return [_swap(item, old, new) for item in value]
    return new if value == old else value
