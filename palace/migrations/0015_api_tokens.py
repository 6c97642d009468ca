"""api_tokens: bearer tokens for the JSON API, kept as the sha256 of the token, with the
member, scope (member, desk, checkin), when made, last used and expiring, and revoked."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from palace.models.api_tokens import TokenScope
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0014_deliveries')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ApiToken',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('key', fields.CharField(unique=True, max_length=64)),
                ('member', fields.ForeignKeyField('models.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='api_tokens', on_delete=OnDelete.CASCADE)),
                ('scope', fields.CharEnumField(description='MEMBER: member\nDESK: desk\nCHECKIN: checkin', enum_type=TokenScope, max_length=10)),
                ('label', fields.CharField(default='', max_length=60)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('last_used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'api_tokens', 'app': 'models', 'indexes': [Index(fields=['member_id'])], 'pk_attr': 'id', 'table_description': 'One token, kept as its sha256: the token itself is shown once.'},
            bases=['Model'],
        ),
    ]
