from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from palace.models.bookings import Slot
from palace.models.children import Child
from palace.models.members import Member


class WaitMode(StrEnum):
    AUTO = "auto"  # book me automatically while the session is far enough away
    ASK = "ask"  # ask me first: always a timed offer


class WaitStatus(StrEnum):
    WAITING = "waiting"
    OFFERED = "offered"  # a timed offer is open and a held place is kept for it
    BOOKED = "booked"  # promoted, or the offer accepted (booking_id says which booking)
    LEFT = "left"  # the member left the line
    DECLINED = "declined"
    EXPIRED = "expired"  # the offer ran out
    CLOSED = "closed"  # the session started or went away with the member still in line


LIVE = (WaitStatus.WAITING, WaitStatus.OFFERED)


class WaitlistEntry(Model):
    """A member in line for a full slot. The line's order is the id.

    A freed place is held for the line (``slots.held``) in the transaction that frees
    it, then a worker books the first member in line or makes a timed offer.
    """

    id = fields.IntField(primary_key=True)
    slot: fields.ForeignKeyRelation[Slot] = fields.ForeignKeyField(
        "models.Slot", related_name="waitlist", on_delete=fields.CASCADE
    )
    member: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "models.Member", related_name="waitlist_entries", on_delete=fields.CASCADE
    )
    slot_id: int
    member_id: int
    mode = fields.CharEnumField(WaitMode, max_length=8)
    status = fields.CharEnumField(WaitStatus, max_length=10, default=WaitStatus.WAITING)
    # The slot id while the member is in line (waiting or offered), NULL after: unique
    # with the member, so a double submit joins once.
    live_slot = fields.IntField(null=True)
    # In line for one of the member's children (children's classes): such an entry keeps
    # live_slot NULL and uses live_child_slot, unique with the child, so each child
    # stands in a session's line once and siblings may both wait, as for bookings.
    child: fields.ForeignKeyNullableRelation[Child] = fields.ForeignKeyField(
        "models.Child", related_name="waitlist_entries", on_delete=fields.CASCADE, null=True
    )
    child_id: int | None
    live_child_slot = fields.IntField(null=True)
    offered_at = fields.DatetimeField(null=True)
    offer_expires_at = fields.DatetimeField(null=True, db_index=True)
    booking_id = fields.IntField(null=True)
    # Why the member was last passed over (a message code), so they are told once.
    skipped_code = fields.CharField(max_length=40, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "waitlist_entries"
        unique_together = (("member", "live_slot"), ("child", "live_child_slot"))
        indexes = (("slot_id", "status"),)
        ordering = ("id",)
