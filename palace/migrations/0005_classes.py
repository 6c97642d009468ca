from tortoise import migrations
from tortoise.migrations import operations as ops
from palace.models.classes import ClassLevel, DayPart, SessionStatus
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0004_slot_constraints')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ClassType',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code', fields.CharField(unique=True, max_length=40)),
                ('name_zh', fields.CharField(max_length=60)),
                ('name_en', fields.CharField(max_length=60)),
                ('description_zh', fields.CharField(default='', max_length=400)),
                ('description_en', fields.CharField(default='', max_length=400)),
                ('level', fields.CharEnumField(default=ClassLevel.ALL, description='ALL: all\nBEGINNER: beginner\nINTERMEDIATE: intermediate\nADVANCED: advanced', enum_type=ClassLevel, max_length=12)),
                ('for_children', fields.BooleanField(default=False)),
                ('active', fields.BooleanField(default=True)),
            ],
            options={'table': 'class_types', 'app': 'models', 'pk_attr': 'id', 'table_description': "A kind of class: yoga, aerobics, tai chi, the children's after-school club."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ClassDemand',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('member', fields.ForeignKeyField('models.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='class_demands', on_delete=OnDelete.CASCADE)),
                ('class_type', fields.ForeignKeyField('models.ClassType', source_field='class_type_id', db_constraint=True, to_field='id', related_name='demands', on_delete=OnDelete.CASCADE)),
                ('days', fields.CharField(max_length=20)),
                ('day_part', fields.CharEnumField(description='MORNING: morning\nAFTERNOON: afternoon\nEVENING: evening', enum_type=DayPart, max_length=10)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'class_demands', 'app': 'models', 'unique_together': (('member', 'class_type'),), 'pk_attr': 'id', 'table_description': 'A member\'s "I want this class": the class type, the days and the time of day.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Instructor',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=40)),
                ('active', fields.BooleanField(default=True)),
            ],
            options={'table': 'instructors', 'app': 'models', 'pk_attr': 'id', 'table_description': 'Who teaches. Not necessarily a member: many are volunteers or hired coaches.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='NoClassDay',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('day', fields.DateField(unique=True)),
                ('reason', fields.CharField(max_length=200)),
            ],
            options={'table': 'no_class_days', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A day the palace holds no classes (its own exception dates, beside public holidays).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Schedule',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('class_type', fields.ForeignKeyField('models.ClassType', source_field='class_type_id', db_constraint=True, to_field='id', related_name='schedules', on_delete=OnDelete.RESTRICT)),
                ('room', fields.ForeignKeyField('models.Resource', source_field='room_id', db_constraint=True, to_field='id', related_name='schedules', on_delete=OnDelete.RESTRICT)),
                ('instructor', fields.ForeignKeyField('models.Instructor', source_field='instructor_id', db_constraint=True, to_field='id', related_name='schedules', on_delete=OnDelete.RESTRICT)),
                ('days', fields.CharField(max_length=20)),
                ('start_minute', fields.SmallIntField()),
                ('minutes', fields.SmallIntField()),
                ('term_start', fields.DateField()),
                ('term_end', fields.DateField()),
                ('capacity', fields.IntField()),
                ('days_ahead', fields.SmallIntField(default=7)),
                ('opens_minute', fields.SmallIntField(default=480)),
                ('cancel_cutoff_minutes', fields.IntField(default=120)),
                ('active', fields.BooleanField(default=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'class_schedules', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A weekly class: days, start and length, over a term, in a room, with an instructor.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ClassSession',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('schedule', fields.ForeignKeyField('models.Schedule', source_field='schedule_id', db_constraint=True, to_field='id', related_name='sessions', on_delete=OnDelete.RESTRICT)),
                ('class_type', fields.ForeignKeyField('models.ClassType', source_field='class_type_id', db_constraint=True, to_field='id', related_name='sessions', on_delete=OnDelete.RESTRICT)),
                ('room', fields.ForeignKeyField('models.Resource', source_field='room_id', db_constraint=True, to_field='id', related_name='class_sessions', on_delete=OnDelete.RESTRICT)),
                ('instructor', fields.ForeignKeyField('models.Instructor', source_field='instructor_id', db_constraint=True, to_field='id', related_name='sessions', on_delete=OnDelete.RESTRICT)),
                ('slot', fields.OneToOneField('models.Slot', source_field='slot_id', db_constraint=True, to_field='id', related_name='class_session', on_delete=OnDelete.RESTRICT)),
                ('starts_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('ends_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('status', fields.CharEnumField(default=SessionStatus.SCHEDULED, description='SCHEDULED: scheduled\nCANCELLED: cancelled', enum_type=SessionStatus, max_length=10)),
                ('cancel_reason', fields.CharField(default='', max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'class_sessions', 'app': 'models', 'unique_together': (('schedule', 'starts_at'),), 'pk_attr': 'id', 'table_description': 'One meeting of a schedule: its slot is where places are taken (bookings.take).'},
            bases=['Model'],
        ),
    ]
