from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from palace.models.bookings import BookingStatus
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='BookingRules',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('facility', fields.OneToOneField('models.Facility', source_field='facility_id', db_constraint=True, to_field='id', related_name='rules', on_delete=OnDelete.CASCADE)),
                ('slot_minutes', fields.SmallIntField(default=60)),
                ('days_ahead', fields.SmallIntField(default=7)),
                ('opens_minute', fields.SmallIntField(default=480)),
                ('max_active', fields.SmallIntField(default=2)),
                ('max_minutes_per_day', fields.SmallIntField(default=120)),
                ('cancel_cutoff_minutes', fields.IntField(default=120)),
                ('partners_allowed', fields.BooleanField(default=False)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'booking_rules', 'app': 'models', 'pk_attr': 'id', 'table_description': 'How members may book one facility. Times of day are local minutes after midnight.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CalendarFeed',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('member', fields.OneToOneField('models.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='calendar_feed', on_delete=OnDelete.CASCADE)),
                ('token', fields.CharField(unique=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'calendar_feeds', 'app': 'models', 'pk_attr': 'id', 'table_description': "A member's private calendar address. Deleting the row revokes it."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Closure',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('facility', fields.ForeignKeyField('models.Facility', source_field='facility_id', db_constraint=True, to_field='id', related_name='closures', on_delete=OnDelete.CASCADE)),
                ('resource', fields.ForeignKeyField('models.Resource', source_field='resource_id', null=True, db_constraint=True, to_field='id', related_name='closures', on_delete=OnDelete.CASCADE)),
                ('starts_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('ends_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('reason', fields.CharField(max_length=200)),
                ('created_by', fields.ForeignKeyField('models.Member', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='closures_made', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'closures', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A hall (resource NULL) or one court closed for a period, e.g. a tournament.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Notification',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('member', fields.ForeignKeyField('models.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='notifications', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=40)),
                ('booking_id', fields.IntField(null=True)),
                ('detail', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('read_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'notifications', 'app': 'models', 'pk_attr': 'id', 'table_description': "Something a member should be told. Delivery (sent_at) is a worker's job."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Slot',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('resource', fields.ForeignKeyField('models.Resource', source_field='resource_id', db_constraint=True, to_field='id', related_name='slots', on_delete=OnDelete.CASCADE)),
                ('starts_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('ends_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('capacity', fields.IntField()),
                ('taken', fields.IntField(default=0)),
            ],
            options={'table': 'slots', 'app': 'models', 'unique_together': (('resource', 'starts_at'),), 'pk_attr': 'id', 'table_description': 'One bookable period of one resource. ``taken`` counts confirmed places.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Booking',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('slot', fields.ForeignKeyField('models.Slot', source_field='slot_id', db_constraint=True, to_field='id', related_name='bookings', on_delete=OnDelete.RESTRICT)),
                ('member', fields.ForeignKeyField('models.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='bookings', on_delete=OnDelete.RESTRICT)),
                ('facility', fields.ForeignKeyField('models.Facility', source_field='facility_id', db_constraint=True, to_field='id', related_name='bookings', on_delete=OnDelete.RESTRICT)),
                ('resource', fields.ForeignKeyField('models.Resource', source_field='resource_id', db_constraint=True, to_field='id', related_name='bookings', on_delete=OnDelete.RESTRICT)),
                ('starts_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('ends_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('status', fields.CharEnumField(default=BookingStatus.CONFIRMED, description='CONFIRMED: confirmed\nCANCELLED: cancelled\nLATE_CANCELLED: late_cancelled\nCANCELLED_BY_PALACE: cancelled_by_palace', enum_type=BookingStatus, max_length=24)),
                ('live_slot', fields.IntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('cancelled_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'bookings', 'app': 'models', 'unique_together': (('member', 'live_slot'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='BookingPartner',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('booking', fields.ForeignKeyField('models.Booking', source_field='booking_id', db_constraint=True, to_field='id', related_name='partners', on_delete=OnDelete.CASCADE)),
                ('member', fields.ForeignKeyField('models.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='partner_in', on_delete=OnDelete.RESTRICT)),
            ],
            options={'table': 'booking_partners', 'app': 'models', 'unique_together': (('booking', 'member'),), 'pk_attr': 'id', 'table_description': "A member named on someone else's court booking (doubles)."},
            bases=['Model'],
        ),
    ]
