from tortoise import migrations
from tortoise.migrations import operations as ops
from palace.models.bookings import BookingSource, SlotKind
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.migrations.constraints import UniqueConstraint

class Migration(migrations.Migration):
    dependencies = [('models', '0002_bookings')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Child',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('parent', fields.ForeignKeyField('models.Member', source_field='parent_id', db_constraint=True, to_field='id', related_name='children', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=40)),
                ('birth_year', fields.SmallIntField()),
                ('active', fields.BooleanField(default=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'children', 'app': 'models', 'pk_attr': 'id', 'table_description': "A member's child, for whom the member books places in children's classes."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RoomHold',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('resource', fields.ForeignKeyField('models.Resource', source_field='resource_id', db_constraint=True, to_field='id', related_name='holds', on_delete=OnDelete.CASCADE)),
                ('block_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('slot', fields.ForeignKeyField('models.Slot', source_field='slot_id', null=True, db_constraint=True, to_field='id', related_name='holds', on_delete=OnDelete.CASCADE)),
                ('booking', fields.ForeignKeyField('models.Booking', source_field='booking_id', null=True, db_constraint=True, to_field='id', related_name='holds', on_delete=OnDelete.CASCADE)),
            ],
            options={'table': 'room_holds', 'app': 'models', 'unique_together': (('resource', 'block_at'),), 'pk_attr': 'id', 'table_description': 'A quarter hour of a room held by a class session or by a room booking.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Booking',
            name='child',
            field=fields.ForeignKeyField('models.Child', source_field='child_id', null=True, db_constraint=True, to_field='id', related_name='bookings', on_delete=OnDelete.RESTRICT),
        ),
        ops.AddField(
            model_name='Booking',
            name='live_child_slot',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='Booking',
            name='source',
            field=fields.CharEnumField(default=BookingSource.MEMBER, description='MEMBER: member\nDESK: desk\nWAITLIST: waitlist\nBALLOT: ballot', db_default='member', enum_type=BookingSource, max_length=10),
        ),
        ops.AddConstraint(
            model_name='Booking',
            constraint=UniqueConstraint(fields=('child', 'live_child_slot'), name=None),
        ),
        ops.AddField(
            model_name='Resource',
            name='hosts_classes',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='Slot',
            name='cancel_cutoff_minutes',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='Slot',
            name='kind',
            field=fields.CharEnumField(default=SlotKind.GRID, description='GRID: grid\nSESSION: session', db_default='grid', enum_type=SlotKind, max_length=10),
        ),
        ops.AddField(
            model_name='Slot',
            name='opens_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
    ]
