from tortoise import migrations
from tortoise.migrations import operations as ops
from palace.models.bookings import BookingStatus
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0005_classes')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Strike',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('member', fields.ForeignKeyField('models.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='strikes', on_delete=OnDelete.CASCADE)),
                ('booking', fields.OneToOneField('models.Booking', source_field='booking_id', db_constraint=True, to_field='id', related_name='strike', on_delete=OnDelete.CASCADE)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('waived_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('waived_by_id', fields.IntField(null=True)),
                ('waive_reason', fields.CharField(null=True, max_length=200)),
            ],
            options={'table': 'strikes', 'app': 'models', 'indexes': [Index(fields=['member_id', 'at'])], 'pk_attr': 'id', 'table_description': 'A no-show: a booking its member did not come to, as a mark against them.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Suspension',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('member', fields.ForeignKeyField('models.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='suspensions', on_delete=OnDelete.CASCADE)),
                ('strike', fields.OneToOneField('models.Strike', source_field='strike_id', db_constraint=True, to_field='id', related_name='suspension', on_delete=OnDelete.CASCADE)),
                ('starts_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('ends_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('threshold', fields.SmallIntField()),
                ('period_days', fields.SmallIntField()),
                ('lifted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('lifted_by_id', fields.IntField(null=True)),
            ],
            options={'table': 'suspensions', 'app': 'models', 'pk_attr': 'id', 'table_description': 'Booking suspended for a period because strikes reached the threshold.'},
            bases=['Model'],
        ),
        ops.AlterField(
            model_name='Booking',
            name='status',
            field=fields.CharEnumField(default=BookingStatus.CONFIRMED, description='CONFIRMED: confirmed\nCANCELLED: cancelled\nLATE_CANCELLED: late_cancelled\nCANCELLED_BY_PALACE: cancelled_by_palace\nNO_SHOW: no_show', enum_type=BookingStatus, max_length=24),
        ),
        ops.AddField(
            model_name='Booking',
            name='checked_in_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Booking',
            name='checkin_expected',
            field=fields.BooleanField(default=True, db_default=False),
        ),
        ops.AddField(
            model_name='Booking',
            name='guest_name',
            field=fields.CharField(null=True, max_length=40),
        ),
        ops.AddField(
            model_name='BookingPartner',
            name='checked_in_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='BookingRules',
            name='checkin_after_minutes',
            field=fields.SmallIntField(default=15, db_default=15),
        ),
        ops.AddField(
            model_name='BookingRules',
            name='checkin_before_minutes',
            field=fields.SmallIntField(default=30, db_default=30),
        ),
        ops.AddField(
            model_name='BookingRules',
            name='guests_allowed',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='Member',
            name='booking_suspended_until',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
    ]
