"""The log's purge hatch opens only in a test database (see countries migration 0008)."""

from django.db import migrations

HATCH = "current_setting('aimai.purge_frozen', true) = 'on'"
HATCH_IN_TESTS = HATCH + " AND left(current_database(), 5) = 'test_'"


def _function(hatch: str) -> str:
    return f"""
CREATE OR REPLACE FUNCTION registry_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND {hatch} THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'the transparency log is append-only'
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
"""


def narrow(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_function(HATCH_IN_TESTS))


def widen(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_function(HATCH))


class Migration(migrations.Migration):
    dependencies = [("registry", "0005_editors_moderate")]

    operations = [migrations.RunPython(narrow, widen)]
