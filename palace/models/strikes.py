from tortoise import fields
from tortoise.models import Model

from palace.models.bookings import Booking
from palace.models.members import Member


class Strike(Model):
    """A no-show: a booking its member did not come to, as a mark against them.

    One per booking, so marking no-shows twice records one strike. Staff may waive
    it with a reason.
    """

    id = fields.IntField(primary_key=True)
    member: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "models.Member", related_name="strikes", on_delete=fields.CASCADE
    )
    member_id: int
    booking: fields.OneToOneRelation[Booking] = fields.OneToOneField(
        "models.Booking", related_name="strike", on_delete=fields.CASCADE
    )
    booking_id: int
    at = fields.DatetimeField()  # when the missed booking started
    created_at = fields.DatetimeField(auto_now_add=True)
    waived_at = fields.DatetimeField(null=True)
    waived_by_id = fields.IntField(null=True)
    waive_reason = fields.CharField(max_length=200, null=True)

    class Meta:
        table = "strikes"
        indexes = (("member_id", "at"),)
        ordering = ("-at", "-id")


class Suspension(Model):
    """Booking suspended for a period because strikes reached the threshold.

    Caused by one strike (the one that reached it), at most once: a waiver of any of
    the strikes it counted lifts it when the rest no longer reach the threshold.
    """

    id = fields.IntField(primary_key=True)
    member: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "models.Member", related_name="suspensions", on_delete=fields.CASCADE
    )
    member_id: int
    strike: fields.OneToOneRelation[Strike] = fields.OneToOneField(
        "models.Strike", related_name="suspension", on_delete=fields.CASCADE
    )
    strike_id: int
    starts_at = fields.DatetimeField()
    ends_at = fields.DatetimeField()
    # The rule that was reached: ``threshold`` strikes within ``period_days`` days.
    threshold = fields.SmallIntField()
    period_days = fields.SmallIntField()
    lifted_at = fields.DatetimeField(null=True)
    lifted_by_id = fields.IntField(null=True)

    class Meta:
        table = "suspensions"
        indexes = (("member_id",),)
        ordering = ("-starts_at", "-id")
