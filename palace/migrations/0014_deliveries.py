"""deliveries: messages outside the app, one row per notification and channel; the
member's contact address, chosen channels and quiet hours."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from palace.models.deliveries import DeliveryStatus
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0013_waitlist_children')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Delivery',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('notification', fields.ForeignKeyField('models.Notification', source_field='notification_id', db_constraint=True, to_field='id', related_name='deliveries', on_delete=OnDelete.CASCADE)),
                ('channel', fields.CharField(max_length=20)),
                ('status', fields.CharEnumField(default=DeliveryStatus.QUEUED, description='QUEUED: queued\nSENT: sent\nFAILED: failed\nGIVEN_UP: given_up', enum_type=DeliveryStatus, max_length=10)),
                ('attempts', fields.SmallIntField(default=0)),
                ('last_error', fields.CharField(null=True, max_length=500)),
                ('next_attempt_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'deliveries', 'app': 'models', 'unique_together': (('notification', 'channel'),), 'indexes': [Index(fields=['status', 'next_attempt_at'])], 'pk_attr': 'id', 'table_description': 'A notification on its way out by one channel (e-mail, webhook, SMS...).'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Member',
            name='contact_email',
            field=fields.CharField(null=True, max_length=254),
        ),
        ops.AddField(
            model_name='Member',
            name='outbound_channels',
            field=fields.CharField(null=True, max_length=40),
        ),
        ops.AddField(
            model_name='Member',
            name='quiet_end',
            field=fields.SmallIntField(null=True),
        ),
        ops.AddField(
            model_name='Member',
            name='quiet_start',
            field=fields.SmallIntField(null=True),
        ),
    ]
