"""waitlist_children: a children's class has a line, one place in it per child.

A waitlist entry may be for one of the member's children (``child_id``); such an entry
keeps ``live_slot`` NULL and uses ``live_child_slot``, unique with the child, as
bookings do, so each child stands in a line once and siblings may both wait.

On SQLite the bookings' own unique keys (member, live_slot) and (child,
live_child_slot) were lost when 0006 rebuilt the table to change a column; they are
made again here as unique indexes (PostgreSQL kept them as constraints).
"""

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops
from tortoise.migrations.constraints import UniqueConstraint

SQLITE_BOOKING_KEYS = [
    'CREATE UNIQUE INDEX IF NOT EXISTS "uid_bookings_member_live" '
    'ON "bookings" ("member_id", "live_slot")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "uid_bookings_child_live" '
    'ON "bookings" ("child_id", "live_child_slot")',
]


class RestoreSqliteBookingKeys(ops.RunSQL):
    def __init__(self) -> None:
        super().__init__(sql=[])

    async def database_forward(self, app_label, old_state, new_state, state_editor=None):
        if not state_editor or state_editor.client.capabilities.dialect != "sqlite":
            return
        for statement in SQLITE_BOOKING_KEYS:
            await state_editor.client.execute_query(statement)


class Migration(migrations.Migration):
    dependencies = [('models', '0012_admin_suspension')]

    initial = False

    operations = [
        ops.AddField(
            model_name='WaitlistEntry',
            name='child',
            field=fields.ForeignKeyField('models.Child', source_field='child_id', null=True, db_constraint=True, to_field='id', related_name='waitlist_entries', on_delete=OnDelete.CASCADE),
        ),
        ops.AddField(
            model_name='WaitlistEntry',
            name='live_child_slot',
            field=fields.IntField(null=True),
        ),
        ops.AddConstraint(
            model_name='WaitlistEntry',
            constraint=UniqueConstraint(fields=('child', 'live_child_slot'), name=None),
        ),
        RestoreSqliteBookingKeys(),
    ]
