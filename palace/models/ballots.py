"""Ballots for prime-time slots: a hall's balloted ranges, its ballots per week, entries
and the weights members carry from one ballot to the next (services/fairness/ballots)."""

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model

from palace.models.bookings import Booking
from palace.models.facilities import Facility
from palace.models.members import Member

# The shortest window staff may set: it spans two daytimes and a night, so a member on
# any shift can enter after work.
MIN_WINDOW_HOURS = 48


class BallotSettings(Model):
    """When a hall's ballots open, close, draw and release, and the caps at the draw."""

    id = fields.IntField(primary_key=True)
    facility: fields.OneToOneRelation[Facility] = fields.OneToOneField(
        "models.Facility", related_name="ballot_settings", on_delete=fields.CASCADE
    )
    facility_id: int
    # Entries open this many days before the week's Monday, at local midnight.
    opens_days_ahead = fields.IntField(default=14)
    window_hours = fields.IntField(default=72)
    draw_after_minutes = fields.IntField(default=60)  # after the window closes
    release_after_hours = fields.IntField(default=24)  # leftovers first-come, after the draw
    max_weight = fields.IntField(default=4)
    max_wins_per_week = fields.IntField(default=2)  # per member, over every hall
    max_wins_per_branch_day = fields.IntField(default=0)  # per union branch and day; 0: none

    class Meta:
        table = "ballot_settings"


class BallotRange(Model):
    """A weekday's time range of a hall whose slots are balloted (local minutes)."""

    id = fields.IntField(primary_key=True)
    facility: fields.ForeignKeyRelation[Facility] = fields.ForeignKeyField(
        "models.Facility", related_name="ballot_ranges", on_delete=fields.CASCADE
    )
    facility_id: int
    weekday = fields.IntField()  # 0 = Monday
    starts_minute = fields.IntField()
    ends_minute = fields.IntField()

    class Meta:
        table = "ballot_ranges"
        ordering = ("weekday", "starts_minute")


class BallotState(StrEnum):
    OPEN = "open"  # entries taken (from opens_at to closes_at)
    CLOSED = "closed"  # entry list and its hash published, waiting for the draw
    DRAWN = "drawn"  # seed and results published, winners booked
    RELEASED = "released"  # leftovers bookable first-come


class Ballot(Model):
    """One hall's balloted slots of one week, and everything published about the draw."""

    id = fields.IntField(primary_key=True)
    facility: fields.ForeignKeyRelation[Facility] = fields.ForeignKeyField(
        "models.Facility", related_name="ballots", on_delete=fields.CASCADE
    )
    facility_id: int
    week_start = fields.DateField()  # the local Monday
    state = fields.CharEnumField(BallotState, max_length=10, default=BallotState.OPEN)
    opens_at = fields.DatetimeField()
    closes_at = fields.DatetimeField()
    draw_at = fields.DatetimeField()
    release_at = fields.DatetimeField()
    # The places balloted, fixed when the ballot is made: [{key, resource_id, starts_at,
    # ends_at, places}] in time then court order (later changes to the ranges leave it).
    places: Any = fields.JSONField(default=list)
    secret = fields.CharField(max_length=64)  # never shown before the draw
    commitment = fields.CharField(max_length=64)
    algorithm = fields.CharField(max_length=200)
    entry_list: Any = fields.JSONField(null=True)  # published at close
    entry_hash = fields.CharField(max_length=64, null=True)
    beacon = fields.CharField(max_length=200, null=True)  # a public round mixed in, if any
    seed = fields.CharField(max_length=64, null=True)
    results: Any = fields.JSONField(null=True)  # published after the draw
    drawn_at = fields.DatetimeField(null=True)
    second_round_at = fields.DatetimeField(null=True)
    released_at = fields.DatetimeField(null=True)

    class Meta:
        table = "ballots"
        unique_together = (("facility", "week_start"),)
        ordering = ("week_start", "facility_id")


class EntryOutcome(StrEnum):
    WON = "won"
    LOST = "lost"


class BallotEntry(Model):
    """A member's entry: up to three ranked choices, partners, "any other time"."""

    id = fields.IntField(primary_key=True)
    ballot: fields.ForeignKeyRelation[Ballot] = fields.ForeignKeyField(
        "models.Ballot", related_name="entries", on_delete=fields.CASCADE
    )
    ballot_id: int
    member: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "models.Member", related_name="ballot_entries", on_delete=fields.RESTRICT
    )
    member_id: int
    # The member id while the entry stands, NULL once withdrawn: unique with the ballot,
    # so a member has one entry per ballot however fast they click.
    live_member = fields.IntField(null=True)
    choices: Any = fields.JSONField(default=list)  # place keys ("…/c1", or "…/*": any court)
    partner_cards: Any = fields.JSONField(default=list)
    any_other_time = fields.BooleanField(default=False)
    entered_by_id = fields.IntField()  # the member, or the desk clerk who entered for them
    created_at = fields.DatetimeField(auto_now_add=True)
    withdrawn_at = fields.DatetimeField(null=True)
    pseudonym = fields.CharField(max_length=16, null=True)  # set at close
    weight = fields.IntField(null=True)  # set at close
    # 0: not drawn yet; 1: done in the first round; 2: done in the second. Moved by a
    # conditional UPDATE, so a draw run twice (or resumed) handles each entry once.
    drawn_round = fields.IntField(default=0)
    outcome = fields.CharEnumField(EntryOutcome, max_length=6, null=True)
    won_key = fields.CharField(max_length=60, null=True)
    booking: fields.ForeignKeyNullableRelation[Booking] = fields.ForeignKeyField(
        "models.Booking", related_name="ballot_entries", on_delete=fields.SET_NULL, null=True
    )
    booking_id: int | None
    refusals: Any = fields.JSONField(default=list)  # [[key, code]] at the draw, published

    class Meta:
        table = "ballot_entries"
        unique_together = (("ballot", "live_member"),)
        indexes = (("member_id",),)
        ordering = ("id",)


class BallotWeight(Model):
    """A member's consecutive losses in a hall's ballots (weight = 1 + losses, capped)."""

    id = fields.IntField(primary_key=True)
    member: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "models.Member", related_name="ballot_weights", on_delete=fields.CASCADE
    )
    member_id: int
    facility: fields.ForeignKeyRelation[Facility] = fields.ForeignKeyField(
        "models.Facility", related_name="ballot_weights", on_delete=fields.CASCADE
    )
    facility_id: int
    losses = fields.IntField(default=0)

    class Meta:
        table = "ballot_weights"
        unique_together = (("member", "facility"),)
