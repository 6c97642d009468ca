"""setup_version: one counter that every change to a hall's set-up moves.

Web processes and workers cache halls, courts, booking rules and opening hours
(palace/services/setup_cache.py) and compare this counter before using the cache.
Triggers move it in the same transaction as the change, whoever makes it: a staff
page, the demo seeder, a test, or plain SQL. Not a Tortoise model, so emptying every
model's table (as the tests do) leaves it in place; PostgreSQL's TRUNCATE fires its
own trigger, SQLite empties tables with DELETE, which the row triggers see.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

TABLES = ("facilities", "resources", "booking_rules", "opening_hours")

POSTGRES = [
    "CREATE TABLE setup_version (id INT PRIMARY KEY CHECK (id = 1), version BIGINT NOT NULL)",
    "INSERT INTO setup_version (id, version) VALUES (1, 1)",
    "CREATE FUNCTION bump_setup_version() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN UPDATE setup_version SET version = version + 1 WHERE id = 1; RETURN NULL; END $$",
    *(
        f"CREATE TRIGGER {table}_setup_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
        f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION bump_setup_version()"
        for table in TABLES
    ),
]

SQLITE = [
    "CREATE TABLE setup_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)",
    "INSERT INTO setup_version (id, version) VALUES (1, 1)",
    *(
        f"CREATE TRIGGER {table}_setup_version_{event.lower()} AFTER {event} ON {table} "
        "BEGIN UPDATE setup_version SET version = version + 1 WHERE id = 1; END"
        for table in TABLES
        for event in ("INSERT", "UPDATE", "DELETE")
    ),
]


class CreateSetupVersion(ops.RunSQL):
    def __init__(self) -> None:
        super().__init__(sql=[])

    async def database_forward(self, app_label, old_state, new_state, state_editor=None):
        if not state_editor:
            return
        client = state_editor.client
        statements = SQLITE if client.capabilities.dialect == "sqlite" else POSTGRES
        for statement in statements:
            await client.execute_query(statement)


class Migration(migrations.Migration):
    dependencies = [('models', '0010_indexes')]

    initial = False

    operations = [CreateSetupVersion()]
