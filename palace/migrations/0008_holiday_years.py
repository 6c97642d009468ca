from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0007_waitlists')]

    initial = False

    operations = [
        ops.CreateModel(
            name='HolidayYear',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('year', fields.SmallIntField(unique=True)),
                ('confirmed_by', fields.ForeignKeyField('models.Member', source_field='confirmed_by_id', null=True, db_constraint=True, to_field='id', related_name='holiday_years', on_delete=OnDelete.SET_NULL)),
                ('confirmed_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'holiday_years', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A year the holiday data does not cover yet, confirmed by staff for classes.'},
            bases=['Model'],
        ),
    ]
