import importlib

from django.db import migrations, models

# SQLite rebuilds a table to add a NOT NULL column, and a rebuilt table loses its triggers: the
# score sets' append-only triggers of 0007 are dropped before and made again after (PostgreSQL
# adds the column in place, without touching a row, and keeps them).
append_only = importlib.import_module(
    "countries.migrations.0007_immutable_methodologies_and_score_sets"
)
SCORE_SET_TRIGGERS = "countries_scoreset_append_only"


def _score_set_statements(statements) -> list[str]:
    return [s for s in statements if SCORE_SET_TRIGGERS in s]


def sqlite_triggers_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in _score_set_statements(append_only.SQLITE_DOWN):
            schema_editor.execute(statement)


def sqlite_triggers_create(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in _score_set_statements(append_only.SQLITE_UP):
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("countries", "0016_names_without_control_characters"),
    ]

    operations = [
        migrations.RunPython(sqlite_triggers_drop, sqlite_triggers_create),
        migrations.AddField(
            model_name="scoreset",
            name="backcast",
            field=models.BooleanField(
                default=False,
                help_text="The headline methodology applied to an earlier data release, to show "
                "change over time with one method; never the current score set.",
                verbose_name="back-cast",
            ),
        ),
        migrations.RunPython(sqlite_triggers_create, sqlite_triggers_drop),
    ]
