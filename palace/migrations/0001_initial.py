from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from palace.models.facilities import FacilityKind
from palace.models.members import MemberStatus, Role
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='AuditEvent',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('actor_id', fields.IntField(null=True)),
                ('entity', fields.CharField(max_length=30)),
                ('entity_id', fields.BigIntField()),
                ('action', fields.CharField(max_length=40)),
                ('from_state', fields.CharField(null=True, max_length=40)),
                ('to_state', fields.CharField(null=True, max_length=40)),
                ('detail', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'audit_events', 'app': 'models', 'indexes': [Index(fields=['entity', 'entity_id'])], 'pk_attr': 'id', 'table_description': 'Who changed what, from which state to which, and when. Never updated.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Facility',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code', fields.CharField(unique=True, max_length=40)),
                ('name_zh', fields.CharField(max_length=60)),
                ('name_en', fields.CharField(max_length=60)),
                ('kind', fields.CharEnumField(description='COURT: court\nCAPACITY: capacity\nCLASSROOM: classroom', enum_type=FacilityKind, max_length=12)),
                ('sort_order', fields.IntField(default=0)),
                ('active', fields.BooleanField(default=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'facilities', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Member',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('card_no', fields.CharField(unique=True, max_length=20)),
                ('name', fields.CharField(max_length=40)),
                ('phone', fields.CharField(unique=True, max_length=20)),
                ('password_hash', fields.CharField(max_length=255)),
                ('role', fields.CharEnumField(default=Role.MEMBER, description='MEMBER: member\nDESK: desk\nSTAFF: staff\nADMIN: admin', enum_type=Role, max_length=10)),
                ('status', fields.CharEnumField(default=MemberStatus.ACTIVE, description='ACTIVE: active\nSUSPENDED: suspended\nDISABLED: disabled', enum_type=MemberStatus, max_length=10)),
                ('language', fields.CharField(default='zh-CN', max_length=10)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'members', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LoginSession',
            fields=[
                ('id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('member', fields.ForeignKeyField('models.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='sessions', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('ended_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'login_sessions', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One logged-in device. The cookie carries the token, we keep only its hash.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OpeningHours',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('facility', fields.ForeignKeyField('models.Facility', source_field='facility_id', db_constraint=True, to_field='id', related_name='opening_hours', on_delete=OnDelete.CASCADE)),
                ('weekday', fields.SmallIntField()),
                ('opens_minute', fields.SmallIntField()),
                ('closes_minute', fields.SmallIntField()),
            ],
            options={'table': 'opening_hours', 'app': 'models', 'unique_together': (('facility', 'weekday', 'opens_minute'),), 'pk_attr': 'id', 'table_description': "One opening period on one weekday, in the palace's local time."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Resource',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('facility', fields.ForeignKeyField('models.Facility', source_field='facility_id', db_constraint=True, to_field='id', related_name='resources', on_delete=OnDelete.CASCADE)),
                ('code', fields.CharField(max_length=40)),
                ('name_zh', fields.CharField(max_length=60)),
                ('name_en', fields.CharField(max_length=60)),
                ('capacity', fields.IntField(default=1)),
                ('sort_order', fields.IntField(default=0)),
                ('active', fields.BooleanField(default=True)),
            ],
            options={'table': 'resources', 'app': 'models', 'unique_together': (('facility', 'code'),), 'pk_attr': 'id', 'table_description': 'A bookable unit inside a facility: a court, a table, a room, a gym floor.'},
            bases=['Model'],
        ),
    ]
