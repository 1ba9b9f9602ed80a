"""Database triggers that freeze published data releases and their observations.

Whatever path a write takes (the ORM, a raw query, a database shell), the database itself
refuses to insert into, change or delete from a published release, and refuses to change or
delete the release row. The error is an integrity violation on both vendors.

One deliberate hatch exists for wholesale purges (emptying a test database): deletes, never
updates or inserts, pass inside a transaction that ran `SET LOCAL aimai.purge_frozen = 'on'`
(PostgreSQL), or while the table `countries_frozen_purge` holds a row (SQLite; the purging
transaction inserts and removes that row itself, so no other connection ever sees it).
No ORM code path does either.
"""

from django.db import migrations

FROZEN = "data release is published and frozen"

POSTGRES_UP = f"""
CREATE OR REPLACE FUNCTION countries_observation_frozen() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('aimai.purge_frozen', true) = 'on' THEN
        RETURN OLD;
    END IF;
    IF (TG_OP <> 'INSERT' AND EXISTS (SELECT 1 FROM countries_datarelease
            WHERE id = OLD.release_id AND status = 'published'))
       OR (TG_OP <> 'DELETE' AND EXISTS (SELECT 1 FROM countries_datarelease
            WHERE id = NEW.release_id AND status = 'published')) THEN
        RAISE EXCEPTION '{FROZEN}' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER countries_observation_frozen
    BEFORE INSERT OR UPDATE OR DELETE ON countries_observation
    FOR EACH ROW EXECUTE FUNCTION countries_observation_frozen();

CREATE OR REPLACE FUNCTION countries_datarelease_frozen() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('aimai.purge_frozen', true) = 'on' THEN
        RETURN OLD;
    END IF;
    IF OLD.status = 'published' THEN
        RAISE EXCEPTION '{FROZEN}' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER countries_datarelease_frozen
    BEFORE UPDATE OR DELETE ON countries_datarelease
    FOR EACH ROW EXECUTE FUNCTION countries_datarelease_frozen();
"""  # SQL from constants  # nosec B608

POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS countries_observation_frozen ON countries_observation;
DROP FUNCTION IF EXISTS countries_observation_frozen();
DROP TRIGGER IF EXISTS countries_datarelease_frozen ON countries_datarelease;
DROP FUNCTION IF EXISTS countries_datarelease_frozen();
"""

_published = "(SELECT status FROM countries_datarelease WHERE id = {row}.release_id) = 'published'"
_not_purging = "NOT EXISTS (SELECT 1 FROM countries_frozen_purge)"
SQLITE_UP = [
    "CREATE TABLE countries_frozen_purge (id INTEGER PRIMARY KEY)",
    f"""CREATE TRIGGER countries_observation_frozen_insert BEFORE INSERT ON countries_observation
        WHEN {_published.format(row="NEW")}
        BEGIN SELECT RAISE(ABORT, '{FROZEN}'); END""",
    f"""CREATE TRIGGER countries_observation_frozen_update BEFORE UPDATE ON countries_observation
        WHEN {_published.format(row="OLD")} OR {_published.format(row="NEW")}
        BEGIN SELECT RAISE(ABORT, '{FROZEN}'); END""",
    f"""CREATE TRIGGER countries_observation_frozen_delete BEFORE DELETE ON countries_observation
        WHEN {_published.format(row="OLD")} AND {_not_purging}
        BEGIN SELECT RAISE(ABORT, '{FROZEN}'); END""",
    f"""CREATE TRIGGER countries_datarelease_frozen_update BEFORE UPDATE ON countries_datarelease
        WHEN OLD.status = 'published'
        BEGIN SELECT RAISE(ABORT, '{FROZEN}'); END""",
    f"""CREATE TRIGGER countries_datarelease_frozen_delete BEFORE DELETE ON countries_datarelease
        WHEN OLD.status = 'published' AND {_not_purging}
        BEGIN SELECT RAISE(ABORT, '{FROZEN}'); END""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS countries_observation_frozen_insert",
    "DROP TRIGGER IF EXISTS countries_observation_frozen_update",
    "DROP TRIGGER IF EXISTS countries_observation_frozen_delete",
    "DROP TRIGGER IF EXISTS countries_datarelease_frozen_update",
    "DROP TRIGGER IF EXISTS countries_datarelease_frozen_delete",
    "DROP TABLE IF EXISTS countries_frozen_purge",
]


def _run(schema_editor, statements: dict) -> None:
    vendor = schema_editor.connection.vendor
    if vendor not in statements:
        raise RuntimeError(f"no frozen-release triggers written for the {vendor} database")
    for statement in statements[vendor]:
        schema_editor.execute(statement)


def create_triggers(apps, schema_editor):
    _run(schema_editor, {"postgresql": [POSTGRES_UP], "sqlite": SQLITE_UP})


def drop_triggers(apps, schema_editor):
    _run(schema_editor, {"postgresql": [POSTGRES_DOWN], "sqlite": SQLITE_DOWN})


class Migration(migrations.Migration):
    dependencies = [("countries", "0002_reference_countries")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
