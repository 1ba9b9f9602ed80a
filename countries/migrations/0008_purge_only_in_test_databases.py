"""The purge hatch of the frozen-data triggers opens only in a test database.

The hatch (deletes inside a transaction that set `aimai.purge_frozen`) exists so that a test
database can be emptied between tests; any database user can set that variable, so on
PostgreSQL it now also requires the database to be one the test runner made (its name starts
with `test_`). Every other database rejects every change to published data, always.
"""

from importlib import import_module

from django.db import migrations

HATCH = "current_setting('aimai.purge_frozen', true) = 'on'"
HATCH_IN_TESTS = HATCH + " AND left(current_database(), 5) = 'test_'"


def functions(module: str) -> list[str]:
    """The CREATE OR REPLACE FUNCTION statements of an earlier migration, hatch narrowed."""
    sql = import_module(f"countries.migrations.{module}").POSTGRES_UP
    sql = sql if isinstance(sql, str) else "\n".join(sql)
    found = []
    for part in sql.split("CREATE OR REPLACE FUNCTION")[1:]:
        body = part.split("$$ LANGUAGE plpgsql;")[0]
        found.append(f"CREATE OR REPLACE FUNCTION{body}$$ LANGUAGE plpgsql;")
    return [f.replace(HATCH, HATCH_IN_TESTS) for f in found]


def narrow(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite's hatch is a table only the test suite writes to
    for module in ("0003_frozen_release_triggers", "0007_immutable_methodologies_and_score_sets"):
        for statement in functions(module):
            schema_editor.execute(statement)


def widen(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for module in ("0003_frozen_release_triggers", "0007_immutable_methodologies_and_score_sets"):
        for statement in functions(module):
            schema_editor.execute(statement.replace(HATCH_IN_TESTS, HATCH))


class Migration(migrations.Migration):
    dependencies = [("countries", "0007_immutable_methodologies_and_score_sets")]

    operations = [migrations.RunPython(narrow, widen)]
