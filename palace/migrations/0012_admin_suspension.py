from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0011_setup_version')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Member',
            name='suspension_ends_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Member',
            name='suspension_reason',
            field=fields.CharField(null=True, max_length=200),
        ),
    ]
