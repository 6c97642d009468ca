from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from palace.models.bookings import Booking
from palace.models.members import Member


class InvitationStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"  # the member is a partner (a booking_partners row exists)
    DECLINED = "declined"
    LEFT = "left"  # accepted, then left the booking


class PartnerInvitation(Model):
    """A card number the booker named as a partner. Whoever has it sees the booking only
    after accepting. A card nobody has is kept the same way, so naming one says nothing
    to the booker about who is a member."""

    id = fields.IntField(primary_key=True)
    booking: fields.ForeignKeyRelation[Booking] = fields.ForeignKeyField(
        "models.Booking", related_name="invitations", on_delete=fields.CASCADE
    )
    booking_id: int
    card_no = fields.CharField(max_length=20)
    # The active member with that card when it was named; NULL when there was none.
    member: fields.ForeignKeyNullableRelation[Member] = fields.ForeignKeyField(
        "models.Member", related_name="invitations", on_delete=fields.CASCADE, null=True
    )
    member_id: int | None
    status = fields.CharEnumField(InvitationStatus, max_length=10, default=InvitationStatus.PENDING)
    created_at = fields.DatetimeField(auto_now_add=True)
    answered_at = fields.DatetimeField(null=True)

    class Meta:
        table = "partner_invitations"
        unique_together = (("booking", "card_no"),)
        indexes = (("member_id",),)
        ordering = ("id",)
