"""ballots: balloted ranges and settings per hall, ballots per hall and week, entries,
weights carried between ballots, and the member's union branch (基层工会)."""

from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from palace.models.ballots import BallotState, EntryOutcome
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0015_api_tokens')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Ballot',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('facility', fields.ForeignKeyField('models.Facility', source_field='facility_id', db_constraint=True, to_field='id', related_name='ballots', on_delete=OnDelete.CASCADE)),
                ('week_start', fields.DateField()),
                ('state', fields.CharEnumField(default=BallotState.OPEN, description='OPEN: open\nCLOSED: closed\nDRAWN: drawn\nRELEASED: released', enum_type=BallotState, max_length=10)),
                ('opens_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('closes_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('draw_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('release_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('places', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('secret', fields.CharField(max_length=64)),
                ('commitment', fields.CharField(max_length=64)),
                ('algorithm', fields.CharField(max_length=200)),
                ('entry_list', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('entry_hash', fields.CharField(null=True, max_length=64)),
                ('beacon', fields.CharField(null=True, max_length=200)),
                ('seed', fields.CharField(null=True, max_length=64)),
                ('results', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('drawn_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('second_round_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('released_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'ballots', 'app': 'models', 'unique_together': (('facility', 'week_start'),), 'pk_attr': 'id', 'table_description': "One hall's balloted slots of one week, and everything published about the draw."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='BallotEntry',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('ballot', fields.ForeignKeyField('models.Ballot', source_field='ballot_id', db_constraint=True, to_field='id', related_name='entries', on_delete=OnDelete.CASCADE)),
                ('member', fields.ForeignKeyField('models.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='ballot_entries', on_delete=OnDelete.RESTRICT)),
                ('live_member', fields.IntField(null=True)),
                ('choices', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('partner_cards', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('any_other_time', fields.BooleanField(default=False)),
                ('entered_by_id', fields.IntField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('withdrawn_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('pseudonym', fields.CharField(null=True, max_length=16)),
                ('weight', fields.IntField(null=True)),
                ('drawn_round', fields.IntField(default=0)),
                ('outcome', fields.CharEnumField(null=True, description='WON: won\nLOST: lost', enum_type=EntryOutcome, max_length=6)),
                ('won_key', fields.CharField(null=True, max_length=60)),
                ('booking', fields.ForeignKeyField('models.Booking', source_field='booking_id', null=True, db_constraint=True, to_field='id', related_name='ballot_entries', on_delete=OnDelete.SET_NULL)),
                ('refusals', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'ballot_entries', 'app': 'models', 'unique_together': (('ballot', 'live_member'),), 'indexes': [Index(fields=['member_id'])], 'pk_attr': 'id', 'table_description': 'A member\'s entry: up to three ranked choices, partners, "any other time".'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='BallotRange',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('facility', fields.ForeignKeyField('models.Facility', source_field='facility_id', db_constraint=True, to_field='id', related_name='ballot_ranges', on_delete=OnDelete.CASCADE)),
                ('weekday', fields.IntField()),
                ('starts_minute', fields.IntField()),
                ('ends_minute', fields.IntField()),
            ],
            options={'table': 'ballot_ranges', 'app': 'models', 'pk_attr': 'id', 'table_description': "A weekday's time range of a hall whose slots are balloted (local minutes)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='BallotSettings',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('facility', fields.OneToOneField('models.Facility', source_field='facility_id', db_constraint=True, to_field='id', related_name='ballot_settings', on_delete=OnDelete.CASCADE)),
                ('opens_days_ahead', fields.IntField(default=14)),
                ('window_hours', fields.IntField(default=72)),
                ('draw_after_minutes', fields.IntField(default=60)),
                ('release_after_hours', fields.IntField(default=24)),
                ('max_weight', fields.IntField(default=4)),
                ('max_wins_per_week', fields.IntField(default=2)),
                ('max_wins_per_branch_day', fields.IntField(default=0)),
            ],
            options={'table': 'ballot_settings', 'app': 'models', 'pk_attr': 'id', 'table_description': "When a hall's ballots open, close, draw and release, and the caps at the draw."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='BallotWeight',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('member', fields.ForeignKeyField('models.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='ballot_weights', on_delete=OnDelete.CASCADE)),
                ('facility', fields.ForeignKeyField('models.Facility', source_field='facility_id', db_constraint=True, to_field='id', related_name='ballot_weights', on_delete=OnDelete.CASCADE)),
                ('losses', fields.IntField(default=0)),
            ],
            options={'table': 'ballot_weights', 'app': 'models', 'unique_together': (('member', 'facility'),), 'pk_attr': 'id', 'table_description': "A member's consecutive losses in a hall's ballots (weight = 1 + losses, capped)."},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Member',
            name='union_branch',
            field=fields.CharField(null=True, max_length=60),
        ),
    ]
