"""Entries that name a person can be withheld; commitments know whose value they hold.

The append-only trigger of registry_entry now lets exactly one UPDATE through: withholding,
which sets `withheld_at` once, blanks the text columns and changes nothing else (the leaf
hash above all). Every other UPDATE, and every DELETE outside the test purge hatch, is still
refused. On SQLite adding the columns rebuilds the table, which drops its triggers: both are
made again here.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

APPEND_ONLY = "the transparency log is append-only"
UNCHANGED = ("id", "leaf_index", "leaf_hash", "event", "digest", "country", "timestamp")
BLANKED = ("entry", "identifier", "url", "organisation")
WITHHOLDING = " AND ".join(
    ["OLD.withheld_at IS NULL", "NEW.withheld_at IS NOT NULL"]
    + [f"NEW.{column} = ''" for column in BLANKED]
    + [f"NEW.{column} = OLD.{column}" for column in UNCHANGED]
)
HATCH_IN_TESTS = (
    "current_setting('aimai.purge_frozen', true) = 'on' AND left(current_database(), 5) = 'test_'"
)

POSTGRES_UP = [
    f"""
CREATE OR REPLACE FUNCTION registry_entry_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND {HATCH_IN_TESTS} THEN
        RETURN OLD;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        IF {WITHHOLDING} THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION '{APPEND_ONLY}' USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
""",
    "DROP TRIGGER IF EXISTS registry_entry_append_only ON registry_entry;",
    """CREATE TRIGGER registry_entry_append_only BEFORE UPDATE OR DELETE ON registry_entry
        FOR EACH ROW EXECUTE FUNCTION registry_entry_append_only();""",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS registry_entry_append_only ON registry_entry;",
    """CREATE TRIGGER registry_entry_append_only BEFORE UPDATE OR DELETE ON registry_entry
        FOR EACH ROW EXECUTE FUNCTION registry_append_only();""",
    "DROP FUNCTION IF EXISTS registry_entry_append_only();",
]

_not_purging = "NOT EXISTS (SELECT 1 FROM countries_frozen_purge)"
_SQLITE_DELETE = f"""CREATE TRIGGER registry_entry_append_only_delete BEFORE DELETE ON registry_entry
    WHEN {_not_purging}
    BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"""
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS registry_entry_append_only_update",
    "DROP TRIGGER IF EXISTS registry_entry_append_only_delete",
]
SQLITE_UP = [
    *SQLITE_DROP,
    f"""CREATE TRIGGER registry_entry_append_only_update BEFORE UPDATE ON registry_entry
        WHEN NOT ({WITHHOLDING})
        BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END""",
    _SQLITE_DELETE,
]
SQLITE_DOWN = [
    *SQLITE_DROP,
    f"""CREATE TRIGGER registry_entry_append_only_update BEFORE UPDATE ON registry_entry
        BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END""",
    _SQLITE_DELETE,
]


def _run(schema_editor, statements: dict) -> None:
    vendor = schema_editor.connection.vendor
    if vendor not in statements:
        raise RuntimeError(f"no append-only triggers written for the {vendor} database")
    for statement in statements[vendor]:
        schema_editor.execute(statement)


def allow_withholding(apps, schema_editor):
    _run(schema_editor, {"postgresql": POSTGRES_UP, "sqlite": SQLITE_UP})


def refuse_withholding(apps, schema_editor):
    _run(schema_editor, {"postgresql": POSTGRES_DOWN, "sqlite": SQLITE_DOWN})


def link_filers(apps, schema_editor):
    """A concern's filer commitment belongs to the account that filed it."""
    Commitment = apps.get_model("registry", "Commitment")
    Concern = apps.get_model("registry", "Concern")
    filed = Concern.objects.exclude(filer_commitment="").exclude(filed_by=None)
    for digest, user_id in filed.values_list("filer_commitment", "filed_by").iterator():
        Commitment.objects.filter(digest=digest, user=None).update(user_id=user_id)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0009_names_without_control_characters"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # unapplied, the columns go last and (on SQLite) take the triggers with them
        migrations.RunPython(migrations.RunPython.noop, refuse_withholding),
        migrations.AddField(
            model_name="commitment",
            name="user",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="commitments",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="entry",
            name="withheld_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="entry",
            name="withheld_reason",
            field=models.CharField(blank=True, db_default="", default="", max_length=200),
        ),
        migrations.RunPython(allow_withholding, refuse_withholding),
        migrations.RunPython(link_filers, migrations.RunPython.noop),
    ]
