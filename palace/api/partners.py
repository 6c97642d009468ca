"""Partners on a doubles court: the booker invites by card number and withdraws an
invitation; the invited member answers (accept, decline) and may later leave (as
palace/web/partners.py)."""

from typing import Annotated

import msgspec

from palace.api.bookings import Booking, booking_of
from palace.api.operations import MEMBER, Call, operation
from palace.api.shapes import Instant, Name, name_of
from palace.models import PartnerInvitation
from palace.services.booking import booking_views, partners
from palace.services.core import clock

TAG = "partners"
Card = Annotated[str, msgspec.Meta(max_length=40)]


class Invite(msgspec.Struct, frozen=True):
    """The cards to invite: the list replaces the last one (at most three)."""

    cards: Annotated[list[Card], msgspec.Meta(max_length=6)]


class Sent(msgspec.Struct, frozen=True):
    id: int
    card_no: str
    status: str  # pending, accepted, declined, left


class Invitation(msgspec.Struct, frozen=True):
    booking_id: int
    hall: Name
    place: Name
    starts_at: Instant
    ends_at: Instant
    booker: str  # masked, as everywhere a partner sees another member
    open: bool


class Answer(msgspec.Struct, frozen=True):
    accept: bool


def sent_of(row: PartnerInvitation) -> Sent:
    return Sent(row.id, row.card_no, row.status.value)


@operation("PUT", "/bookings/{booking_id}/partners", scopes=MEMBER, tag=TAG, body=Invite,
           response=list[Sent])  # fmt: skip
async def invite(call: Call[Invite, None]) -> list[Sent]:
    """Invite partners by card number; each counts once they accept."""
    made = await partners.set_partners(member_id=call.member_id,
                                       booking_id=call.path_id("booking_id"),
                                       card_nos=list(call.body.cards))  # fmt: skip
    return [sent_of(row) for row in made]


@operation("GET", "/invitations", scopes=MEMBER, tag=TAG, response=list[Invitation])
async def invitations(call: Call[None, None]) -> list[Invitation]:
    """Invitations waiting for my answer."""
    found = await partners.invitations_for(member_id=call.member_id)
    return [
        Invitation(
            i.booking.id,
            name_of(i.booking.facility),
            name_of(i.booking.resource),
            clock.utc(i.booking.starts_at),
            clock.utc(i.booking.ends_at),
            partners.masked(i.booking.member.name),
            i.open,
        )
        for i in found
    ]


@operation("POST", "/bookings/{booking_id}/invitation", scopes=MEMBER, tag=TAG, body=Answer,
           response=Sent)  # fmt: skip
async def answer(call: Call[Answer, None]) -> Sent:
    """Accept or decline an invitation to a booking."""
    done = await partners.answer(member_id=call.member_id, booking_id=call.path_id("booking_id"),
                                 accept=call.body.accept)  # fmt: skip
    return sent_of(done)


@operation("POST", "/bookings/{booking_id}/leave", scopes=MEMBER, tag=TAG, response=Sent)
async def leave_booking(call: Call[None, None]) -> Sent:
    """Leave a booking I had joined as a partner."""
    done = await partners.leave(member_id=call.member_id, booking_id=call.path_id("booking_id"))
    return sent_of(done)


@operation("POST", "/bookings/{booking_id}/invitations/{invitation_id}/withdraw",
           scopes=MEMBER, tag=TAG, response=Booking)  # fmt: skip
async def withdraw(call: Call[None, None]) -> Booking:
    """Withdraw an invitation nobody has answered yet."""
    booking_id = call.path_id("booking_id")
    await partners.withdraw(member_id=call.member_id, booking_id=booking_id,
                            invitation_id=call.path_id("invitation_id"))  # fmt: skip
    view = await booking_views.booking_view(member_id=call.member_id, booking_id=booking_id)
    return booking_of(view)


operations = [invite, invitations, answer, leave_booking, withdraw]
