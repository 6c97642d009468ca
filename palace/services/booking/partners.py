"""Partners on a doubles court: the booker invites them by card number, they answer.

Whoever is named gets an invitation (a notification, a page of its own and a place on
My bookings) and sees nothing of the booking until they accept; they can decline, or
leave later. The booker gets the same answer for a card nobody has as for a member's
card, and sees it waiting in the same way, so the form cannot be used to find out who
is a member: a named card counts as a partner only once its holder accepts, and the
booker may withdraw an invitation nobody has answered (a mistyped card, say).
"""

from dataclasses import dataclass
from typing import Any

from palace.models import (
    Booking,
    BookingPartner,
    BookingStatus,
    Facility,
    InvitationStatus,
    Member,
    MemberStatus,
    PartnerInvitation,
)
from palace.services.accounts import accounts
from palace.services.booking.bookings import BookingError, own_booking
from palace.services.core import after_commit, audit, clock
from palace.services.facilities import rules
from palace.services.messages import notifications

# Notification kinds: to the invited member, and to the booker when they answer.
INVITED = "partner_invitation"
ANSWERED = {
    InvitationStatus.ACCEPTED: "partner_accepted",
    InvitationStatus.DECLINED: "partner_declined",
    InvitationStatus.LEFT: "partner_left",
}


def masked(name: str) -> str:
    """A partner's name wherever someone else sees it (booking page, calendar, desk):
    enough to recognise, not to look people up."""
    return name[:1] + "*" * min(max(len(name) - 1, 1), 2)


async def set_partners(
    *, member_id: int, booking_id: int, card_nos: list[str]
) -> list[PartnerInvitation]:
    """Invite up to three partners by card number; the list replaces the last one."""
    booking = await own_booking(member_id=member_id, booking_id=booking_id)
    facility_rules = await rules.rules_for(await Facility.get(id=booking.facility_id))
    if not facility_rules.partners_allowed:
        raise BookingError("partners_not_allowed")
    _check_changeable(booking)
    booker = await accounts.get_member(member_id=member_id)
    wanted = _cards(booker, card_nos)
    async with after_commit.transaction():
        current = {i.card_no: i for i in await PartnerInvitation.filter(booking_id=booking.id)}
        removed = [card for card in current if card not in wanted]
        for card in removed:
            await _remove(current[card])
        added = [card for card in wanted if card not in current]
        await _invite(booking, booker, added)
        if added or removed:
            await audit.record(
                actor_id=member_id,
                entity="booking",
                entity_id=booking.id,
                action="partners",
                detail={"invited": added, "removed": removed},
            )
    return await PartnerInvitation.filter(booking_id=booking.id)


def _check_changeable(booking: Booking) -> None:
    if booking.status != BookingStatus.CONFIRMED or booking.starts_at <= clock.now():
        raise BookingError("booking_not_changeable")


def _cards(booker: Member, card_nos: list[str]) -> list[str]:
    wanted = list(dict.fromkeys(accounts.normalize_card(c) for c in card_nos if c.strip()))
    if len(wanted) > rules.MAX_PARTNERS:
        raise BookingError("too_many_partners", max=rules.MAX_PARTNERS)
    for card in wanted:
        if not accounts.CARD_RE.fullmatch(card):
            raise BookingError("partner_card_invalid", card=card[:20])
        if card == booker.card_no:
            raise BookingError("partner_is_self")
    return wanted


async def _remove(invitation: PartnerInvitation) -> None:
    if invitation.member_id is not None:
        await BookingPartner.filter(
            booking_id=invitation.booking_id, member_id=invitation.member_id
        ).delete()
    await invitation.delete()


async def _invite(booking: Booking, booker: Member, cards: list[str]) -> None:
    members = {
        m.card_no: m for m in await Member.filter(card_no__in=cards, status=MemberStatus.ACTIVE)
    }
    for card in cards:
        member = members.get(card)
        invitation = await PartnerInvitation.create(
            booking_id=booking.id, card_no=card, member_id=member.id if member else None
        )
        if member is not None:
            await notifications.notify(
                member_id=member.id,
                kind=INVITED,
                booking_id=booking.id,
                detail={**_about(booking), "invitation_id": invitation.id, "booker_id": booker.id},
            )


def _about(booking: Booking) -> dict[str, Any]:
    """Where and when, for a message about the booking (names are read when shown)."""
    return {
        "facility_id": booking.facility_id,
        "resource_id": booking.resource_id,
        "slot_id": booking.slot_id,
        "starts_at": booking.starts_at.isoformat(),
    }


async def answer(*, member_id: int, booking_id: int, accept: bool) -> PartnerInvitation:
    """The invited member accepts (and sees the booking from now on) or declines."""
    async with after_commit.transaction():
        invitation = await _invitation(member_id, booking_id, InvitationStatus.PENDING)
        booking = await Booking.get(id=booking_id)
        if accept:
            _check_changeable(booking)
            await BookingPartner.create(booking_id=booking_id, member_id=member_id)
        status = InvitationStatus.ACCEPTED if accept else InvitationStatus.DECLINED
        await _answered(invitation, booking, status)
    return invitation


async def leave(*, member_id: int, booking_id: int) -> PartnerInvitation:
    """A partner who accepted takes themselves off the booking."""
    async with after_commit.transaction():
        invitation = await _invitation(member_id, booking_id, InvitationStatus.ACCEPTED)
        booking = await Booking.get(id=booking_id)
        await BookingPartner.filter(booking_id=booking_id, member_id=member_id).delete()
        await _answered(invitation, booking, InvitationStatus.LEFT)
    return invitation


async def _invitation(
    member_id: int, booking_id: int, status: InvitationStatus
) -> PartnerInvitation:
    found = (
        await PartnerInvitation.filter(booking_id=booking_id, member_id=member_id, status=status)
        .select_for_update()
        .first()
    )
    if found is None:
        raise BookingError("unknown_invitation")
    return found


async def _answered(
    invitation: PartnerInvitation, booking: Booking, status: InvitationStatus
) -> None:
    """Record the answer, audited, and tell the booker."""
    old = invitation.status
    invitation.status, invitation.answered_at = status, clock.now()
    await invitation.save(update_fields=["status", "answered_at"])
    await audit.record(
        actor_id=invitation.member_id,
        entity="booking",
        entity_id=booking.id,
        action=f"partner_{status.value}",
        from_state=old.value,
        to_state=status.value,
        detail={"card": invitation.card_no},
    )
    await notifications.notify(
        member_id=booking.member_id,
        kind=ANSWERED[status],
        booking_id=booking.id,
        detail={**_about(booking), "card": invitation.card_no, "partner_id": invitation.member_id},
    )


async def withdraw(*, member_id: int, booking_id: int, invitation_id: int) -> None:
    """The booker takes back an invitation nobody has answered (a mistyped card, say)."""
    booking = await own_booking(member_id=member_id, booking_id=booking_id)
    _check_changeable(booking)
    async with after_commit.transaction():
        invitation = (
            await PartnerInvitation.filter(
                id=invitation_id, booking_id=booking.id, status=InvitationStatus.PENDING
            )
            .select_for_update()
            .first()
        )
        if invitation is None:
            raise BookingError("unknown_invitation")
        await invitation.delete()
        await audit.record(
            actor_id=member_id,
            entity="booking",
            entity_id=booking.id,
            action="partner_withdrawn",
            from_state=InvitationStatus.PENDING.value,
            detail={"card": invitation.card_no},
        )


@dataclass(frozen=True)
class Invitation:
    """A pending invitation as the invited member sees it."""

    invitation: PartnerInvitation
    booking: Booking  # with ``facility``, ``resource`` and ``member`` (the booker)
    # It can still be answered: waiting, for a booking confirmed and not yet started.
    open: bool = True


async def invitations_for(*, member_id: int) -> list[Invitation]:
    """Invitations waiting for the member's answer, for bookings not yet started.

    My bookings first asks whether there are any (booking_views.asked_aside);
    tests/services/booking/test_booking_views.py holds that question to this read."""
    pending = await PartnerInvitation.filter(
        member_id=member_id,
        status=InvitationStatus.PENDING,
        booking__status=BookingStatus.CONFIRMED,
        booking__starts_at__gt=clock.now(),
    ).select_related("booking__facility", "booking__resource", "booking__member")
    return [Invitation(i, i.booking) for i in pending]


async def invitation_of(*, member_id: int, booking_id: int) -> Invitation | None:
    """The member's invitation to a booking, answered or not, as its own page shows it;
    None when they have none (never invited, or withdrawn)."""
    found = (
        await PartnerInvitation.filter(booking_id=booking_id, member_id=member_id)
        .select_related("booking__facility", "booking__resource", "booking__member")
        .order_by("-id")
        .first()
    )
    if found is None:
        return None
    booking = found.booking
    open_ = (
        found.status == InvitationStatus.PENDING
        and booking.status == BookingStatus.CONFIRMED
        and booking.starts_at > clock.now()
    )
    return Invitation(found, booking, open_)
