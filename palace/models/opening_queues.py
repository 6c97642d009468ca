"""The opening queue: everyone who asks for a day's places from shortly before booking
opens until the gathering time ends is served in one random order, not by speed
(services/fairness/opening_queue)."""

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model

from palace.models.bookings import Booking
from palace.models.facilities import Facility
from palace.models.members import Member


class QueueState(StrEnum):
    GATHERING = "gathering"  # members join, change and leave
    SERVING = "serving"  # entry list, places and seed published, places being booked
    DONE = "done"  # results published, first-come open


class OpeningQueue(Model):
    """One hall's opening queue for one day, and everything published about its order."""

    id = fields.IntField(primary_key=True)
    facility: fields.ForeignKeyRelation[Facility] = fields.ForeignKeyField(
        "models.Facility", related_name="opening_queues", on_delete=fields.CASCADE
    )
    facility_id: int
    day = fields.DateField()  # the day whose places open
    state = fields.CharEnumField(QueueState, max_length=10, default=QueueState.GATHERING)
    joins_from = fields.DatetimeField()
    opens_at = fields.DatetimeField()  # when the day opens for booking
    gathers_until = fields.DatetimeField()  # joins end, the order is drawn
    secret = fields.CharField(max_length=64)  # never shown before the queue is served
    commitment = fields.CharField(max_length=64)
    algorithm = fields.CharField(max_length=200)
    # Published when the gathering ends: the entry list and its hash, and the places
    # free then ({key: places}, in time then court order).
    entry_list: Any = fields.JSONField(null=True)
    entry_hash = fields.CharField(max_length=64, null=True)
    places: Any = fields.JSONField(null=True)
    seed = fields.CharField(max_length=64, null=True)
    results: Any = fields.JSONField(null=True)  # published once served
    served_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "opening_queues"
        unique_together = (("facility", "day"),)
        ordering = ("day", "facility_id")


class QueueOutcome(StrEnum):
    WON = "won"
    LOST = "lost"


class QueueEntry(Model):
    """A member in an opening queue: up to three ranked choices of the day's places."""

    id = fields.IntField(primary_key=True)
    queue: fields.ForeignKeyRelation[OpeningQueue] = fields.ForeignKeyField(
        "models.OpeningQueue", related_name="entries", on_delete=fields.CASCADE
    )
    queue_id: int
    member: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "models.Member", related_name="queue_entries", on_delete=fields.RESTRICT
    )
    member_id: int
    # The member id while the entry stands, NULL once left: unique with the queue, so a
    # member is in a queue once however fast they tap.
    live_member = fields.IntField(null=True)
    choices: Any = fields.JSONField(default=list)  # place keys ("…T19:00/c1" or "…/*")
    pseudonym = fields.CharField(max_length=16)
    joined_at = fields.DatetimeField(auto_now_add=True)  # kept to show it gives no edge
    left_at = fields.DatetimeField(null=True)
    # Moved once by a conditional UPDATE, so serving twice (or resuming) books once.
    decided = fields.BooleanField(default=False)
    outcome = fields.CharEnumField(QueueOutcome, max_length=6, null=True)
    won_key = fields.CharField(max_length=60, null=True)
    booking: fields.ForeignKeyNullableRelation[Booking] = fields.ForeignKeyField(
        "models.Booking", related_name="queue_entries", on_delete=fields.SET_NULL, null=True
    )
    booking_id: int | None
    refusals: Any = fields.JSONField(default=list)  # [[key, code]], published

    class Meta:
        table = "queue_entries"
        unique_together = (("queue", "live_member"),)
        indexes = (("member_id",),)
        ordering = ("id",)
