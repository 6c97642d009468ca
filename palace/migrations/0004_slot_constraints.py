"""Slots: a CHECK that 0 <= taken <= capacity, and grid rows unique per resource and start.

Grid slots (courts, gym hours) stay unique per (resource, starts_at), now through a
partial unique index, because class sessions also have slot rows on their room and a
cancelled session must not stop a new one at the same time. Written by hand: Tortoise
1.1.9 creates neither CHECK constraints nor partial indexes, and on SQLite a table
constraint can only change by rebuilding the table, with foreign keys off while the
old table is replaced (SQLite's documented procedure), so this migration runs outside
the executor's transaction and makes its own.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

POSTGRES = """
DO $$
DECLARE unique_name text;
BEGIN
    SELECT conname INTO STRICT unique_name FROM pg_constraint
    WHERE conrelid = 'slots'::regclass AND contype = 'u';
    EXECUTE format('ALTER TABLE slots DROP CONSTRAINT %I', unique_name);
END $$;
CREATE UNIQUE INDEX slots_grid_start ON slots (resource_id, starts_at) WHERE kind = 'grid';
CREATE INDEX slots_resource_start ON slots (resource_id, starts_at);
ALTER TABLE slots ADD CONSTRAINT slots_taken_range CHECK (taken >= 0 AND taken <= capacity);
"""

SQLITE = """
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;
CREATE TABLE "new__slots" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "starts_at" TIMESTAMP NOT NULL,
    "ends_at" TIMESTAMP NOT NULL,
    "capacity" INT NOT NULL,
    "taken" INT NOT NULL,
    "resource_id" INT NOT NULL REFERENCES "resources" ("id") ON DELETE CASCADE,
    "cancel_cutoff_minutes" INT,
    "kind" VARCHAR(10) NOT NULL DEFAULT 'grid',
    "opens_at" TIMESTAMP,
    CONSTRAINT "slots_taken_range" CHECK ("taken" >= 0 AND "taken" <= "capacity")
);
INSERT INTO "new__slots"
    ("id", "starts_at", "ends_at", "capacity", "taken", "resource_id",
     "cancel_cutoff_minutes", "kind", "opens_at")
SELECT "id", "starts_at", "ends_at", "capacity", "taken", "resource_id",
       "cancel_cutoff_minutes", "kind", "opens_at"
FROM "slots";
DROP TABLE "slots";
ALTER TABLE "new__slots" RENAME TO "slots";
CREATE UNIQUE INDEX "slots_grid_start" ON "slots" ("resource_id", "starts_at")
    WHERE "kind" = 'grid';
CREATE INDEX "slots_resource_start" ON "slots" ("resource_id", "starts_at");
COMMIT;
PRAGMA foreign_keys = ON;
"""


class ReplaceSlotConstraints(ops.RemoveConstraint):
    """In the model state: unique_together on (resource, starts_at) goes away."""

    async def database_forward(self, app_label, old_state, new_state, state_editor=None):
        if not state_editor:
            return
        client = state_editor.client
        if client.capabilities.dialect == "sqlite":
            await client.execute_script(SQLITE)
            _, problems = await client.execute_query("PRAGMA foreign_key_check")
            if problems:
                raise RuntimeError(f"foreign keys broken after rebuilding slots: {problems}")
        else:
            await client.execute_script(POSTGRES)

    async def database_backward(self, app_label, old_state, new_state, state_editor=None):
        raise NotImplementedError("the slots constraints are not taken back")


class Migration(migrations.Migration):
    dependencies = [('models', '0003_booking_core')]

    initial = False
    atomic = False

    operations = [
        ReplaceSlotConstraints(model_name='Slot', fields=['resource', 'starts_at']),
    ]
