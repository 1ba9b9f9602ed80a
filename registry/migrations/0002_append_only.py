"""The log is append-only in the database itself: triggers reject every UPDATE and DELETE on
entries, nodes, tree heads and co-signatures, whatever code path tries (migration 0003 of the
countries app has the purge hatch used here too, for emptying a test database). The head row
of the log is created here, once."""

from django.db import migrations

APPEND_ONLY = "the transparency log is append-only"
TABLES = ("registry_entry", "registry_node", "registry_treehead", "registry_cosignature")

POSTGRES_UP = [
    f"""
CREATE OR REPLACE FUNCTION registry_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('aimai.purge_frozen', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION '{APPEND_ONLY}' USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
"""
] + [
    f"""CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
        FOR EACH ROW EXECUTE FUNCTION registry_append_only();"""
    for table in TABLES
]
POSTGRES_DOWN = [f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};" for table in TABLES] + [
    "DROP FUNCTION IF EXISTS registry_append_only();"
]

_not_purging = "NOT EXISTS (SELECT 1 FROM countries_frozen_purge)"
SQLITE_UP = []
SQLITE_DOWN = []
for _table in TABLES:
    SQLITE_UP += [
        f"""CREATE TRIGGER {_table}_append_only_update BEFORE UPDATE ON {_table}
            BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END""",
        f"""CREATE TRIGGER {_table}_append_only_delete BEFORE DELETE ON {_table}
            WHEN {_not_purging}
            BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END""",
    ]
    SQLITE_DOWN += [
        f"DROP TRIGGER IF EXISTS {_table}_append_only_update",
        f"DROP TRIGGER IF EXISTS {_table}_append_only_delete",
    ]


def _run(schema_editor, statements: dict) -> None:
    vendor = schema_editor.connection.vendor
    if vendor not in statements:
        raise RuntimeError(f"no append-only triggers written for the {vendor} database")
    for statement in statements[vendor]:
        schema_editor.execute(statement)


def create_triggers(apps, schema_editor):
    _run(schema_editor, {"postgresql": POSTGRES_UP, "sqlite": SQLITE_UP})


def drop_triggers(apps, schema_editor):
    _run(schema_editor, {"postgresql": POSTGRES_DOWN, "sqlite": SQLITE_DOWN})


def create_head(apps, schema_editor):
    apps.get_model("registry", "LogState").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0001_initial"),
        ("countries", "0003_frozen_release_triggers"),  # the purge hatch's table
    ]

    operations = [
        migrations.RunPython(create_triggers, drop_triggers),
        migrations.RunPython(create_head, migrations.RunPython.noop),
    ]
