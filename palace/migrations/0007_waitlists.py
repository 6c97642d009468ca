from tortoise import migrations
from tortoise.migrations import operations as ops
from palace.models.waitlists import WaitMode, WaitStatus
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0006_desk')]

    initial = False

    operations = [
        ops.CreateModel(
            name='OutboundChoice',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('member', fields.ForeignKeyField('models.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='outbound_choices', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=40)),
            ],
            options={'table': 'outbound_choices', 'app': 'models', 'unique_together': (('member', 'kind'),), 'pk_attr': 'id', 'table_description': 'A kind of message the member also wants outside the app (SMS, e-mail...).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='WaitlistEntry',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('slot', fields.ForeignKeyField('models.Slot', source_field='slot_id', db_constraint=True, to_field='id', related_name='waitlist', on_delete=OnDelete.CASCADE)),
                ('member', fields.ForeignKeyField('models.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='waitlist_entries', on_delete=OnDelete.CASCADE)),
                ('mode', fields.CharEnumField(description='AUTO: auto\nASK: ask', enum_type=WaitMode, max_length=8)),
                ('status', fields.CharEnumField(default=WaitStatus.WAITING, description='WAITING: waiting\nOFFERED: offered\nBOOKED: booked\nLEFT: left\nDECLINED: declined\nEXPIRED: expired\nCLOSED: closed', enum_type=WaitStatus, max_length=10)),
                ('live_slot', fields.IntField(null=True)),
                ('offered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('offer_expires_at', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
                ('booking_id', fields.IntField(null=True)),
                ('skipped_code', fields.CharField(null=True, max_length=40)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'waitlist_entries', 'app': 'models', 'unique_together': (('member', 'live_slot'),), 'indexes': [Index(fields=['slot_id', 'status'])], 'pk_attr': 'id', 'table_description': "A member in line for a full slot. The line's order is the id."},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Booking',
            name='reminded_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='BookingRules',
            name='offer_minutes',
            field=fields.SmallIntField(default=20, db_default=20),
        ),
        ops.AddField(
            model_name='BookingRules',
            name='waitlist_auto_minutes',
            field=fields.IntField(default=120, db_default=120),
        ),
        ops.AlterModelOptions(
            name='Notification',
            options={'table': 'notifications', 'app': 'models', 'indexes': [Index(fields=['member_id', 'read_at']), Index(fields=['sent_at', 'created_at'])], 'pk_attr': 'id', 'table_description': 'Something a member should be told: the inbox shows it, a worker sends it outside.'},
        ),
        ops.AddField(
            model_name='Notification',
            name='sent_via',
            field=fields.CharField(null=True, max_length=20),
        ),
        ops.AddIndex(
            model_name='Notification',
            index=Index(fields=['member_id', 'read_at']),
        ),
        ops.AddIndex(
            model_name='Notification',
            index=Index(fields=['sent_at', 'created_at']),
        ),
        ops.AddField(
            model_name='Slot',
            name='held',
            field=fields.IntField(default=0, db_index=True, db_default=0),
        ),
    ]
