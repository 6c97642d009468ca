from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from palace.models.partners import InvitationStatus
from tortoise.fields.base import OnDelete

class Migration(migrations.Migration):
    dependencies = [('models', '0008_holiday_years')]

    initial = False

    operations = [
        ops.AddField(
            model_name='BookingRules',
            name='open_through',
            field=fields.DateField(null=True),
        ),
        ops.AddField(
            model_name='Member',
            name='must_change_password',
            field=fields.BooleanField(default=False),
        ),
        ops.CreateModel(
            name='PartnerInvitation',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('booking', fields.ForeignKeyField('models.Booking', source_field='booking_id', db_constraint=True, to_field='id', related_name='invitations', on_delete=OnDelete.CASCADE)),
                ('card_no', fields.CharField(max_length=20)),
                ('member', fields.ForeignKeyField('models.Member', source_field='member_id', null=True, db_constraint=True, to_field='id', related_name='invitations', on_delete=OnDelete.CASCADE)),
                ('status', fields.CharEnumField(default=InvitationStatus.PENDING, description='PENDING: pending\nACCEPTED: accepted\nDECLINED: declined\nLEFT: left', enum_type=InvitationStatus, max_length=10)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('answered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'partner_invitations', 'app': 'models', 'unique_together': (('booking', 'card_no'),), 'pk_attr': 'id', 'table_description': 'A card number the booker named as a partner. Whoever has it sees the booking only'},
            bases=['Model'],
        ),
        # Partners named before invitations existed had no say; they keep the booking
        # they already see, recorded as accepted.
        ops.RunSQL(
            'INSERT INTO "partner_invitations" ("booking_id", "card_no", "member_id", "status", '
            '"created_at", "answered_at") '
            'SELECT bp."booking_id", m."card_no", bp."member_id", \'accepted\', '
            'CURRENT_TIMESTAMP, CURRENT_TIMESTAMP '
            'FROM "booking_partners" bp JOIN "members" m ON m."id" = bp."member_id"'
        ),
    ]
