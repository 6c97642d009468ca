"""opening_queues: a hall's day's opening queue (joins, the published order and results)
and its entries; bookings may come from the queue; halls get queue_seconds."""

from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from palace.models.bookings import BookingSource
from palace.models.opening_queues import QueueOutcome, QueueState
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class NewSourceValue(ops.AlterField):
    """Bookings' source gains "queue": only the enum's description changes, so the
    database is left alone (on SQLite altering a column rebuilds the table)."""

    async def database_forward(self, app_label, old_state, new_state, state_editor=None):
        return

    async def database_backward(self, app_label, old_state, new_state, state_editor=None):
        return


class Migration(migrations.Migration):
    dependencies = [('models', '0016_ballots')]

    initial = False

    operations = [
        ops.CreateModel(
            name='OpeningQueue',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('facility', fields.ForeignKeyField('models.Facility', source_field='facility_id', db_constraint=True, to_field='id', related_name='opening_queues', on_delete=OnDelete.CASCADE)),
                ('day', fields.DateField()),
                ('state', fields.CharEnumField(default=QueueState.GATHERING, description='GATHERING: gathering\nSERVING: serving\nDONE: done', enum_type=QueueState, max_length=10)),
                ('joins_from', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('opens_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('gathers_until', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('secret', fields.CharField(max_length=64)),
                ('commitment', fields.CharField(max_length=64)),
                ('algorithm', fields.CharField(max_length=200)),
                ('entry_list', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('entry_hash', fields.CharField(null=True, max_length=64)),
                ('places', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('seed', fields.CharField(null=True, max_length=64)),
                ('results', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('served_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'opening_queues', 'app': 'models', 'unique_together': (('facility', 'day'),), 'pk_attr': 'id', 'table_description': "One hall's opening queue for one day, and everything published about its order."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='QueueEntry',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('queue', fields.ForeignKeyField('models.OpeningQueue', source_field='queue_id', db_constraint=True, to_field='id', related_name='entries', on_delete=OnDelete.CASCADE)),
                ('member', fields.ForeignKeyField('models.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='queue_entries', on_delete=OnDelete.RESTRICT)),
                ('live_member', fields.IntField(null=True)),
                ('choices', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('pseudonym', fields.CharField(max_length=16)),
                ('joined_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('left_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('decided', fields.BooleanField(default=False)),
                ('outcome', fields.CharEnumField(null=True, description='WON: won\nLOST: lost', enum_type=QueueOutcome, max_length=6)),
                ('won_key', fields.CharField(null=True, max_length=60)),
                ('booking', fields.ForeignKeyField('models.Booking', source_field='booking_id', null=True, db_constraint=True, to_field='id', related_name='queue_entries', on_delete=OnDelete.SET_NULL)),
                ('refusals', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'queue_entries', 'app': 'models', 'unique_together': (('queue', 'live_member'),), 'indexes': [Index(fields=['member_id'])], 'pk_attr': 'id', 'table_description': "A member in an opening queue: up to three ranked choices of the day's places."},
            bases=['Model'],
        ),
        NewSourceValue(
            model_name='Booking',
            name='source',
            field=fields.CharEnumField(default=BookingSource.MEMBER, description='MEMBER: member\nDESK: desk\nWAITLIST: waitlist\nBALLOT: ballot\nQUEUE: queue', db_default='member', enum_type=BookingSource, max_length=10),
        ),
        ops.AddField(
            model_name='BookingRules',
            name='queue_seconds',
            field=fields.SmallIntField(default=30, db_default=30),
        ),
    ]
