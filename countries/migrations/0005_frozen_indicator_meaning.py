"""What a published value means is frozen with it.

Once an indicator has observations in a published release, its code, dimension, direction
and unit can no longer change (names, descriptions and sources may still be improved):
changing them would silently change the meaning of published data.
"""

from django.db import migrations

FROZEN = (
    "indicator is used by a published data release: code, dimension, direction and unit are frozen"
)
_used = (
    "EXISTS (SELECT 1 FROM countries_observation o JOIN countries_datarelease r "
    "ON r.id = o.release_id WHERE o.indicator_id = OLD.id AND r.status = 'published')"
)
_changed = (
    "NEW.code <> OLD.code OR NEW.dimension <> OLD.dimension "
    "OR NEW.direction <> OLD.direction OR NEW.unit <> OLD.unit"
)

POSTGRES_UP = f"""
CREATE OR REPLACE FUNCTION countries_indicator_frozen() RETURNS trigger AS $$
BEGIN
    IF ({_changed}) AND {_used} THEN
        RAISE EXCEPTION '{FROZEN}' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER countries_indicator_frozen BEFORE UPDATE ON countries_indicator
    FOR EACH ROW EXECUTE FUNCTION countries_indicator_frozen();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS countries_indicator_frozen ON countries_indicator;
DROP FUNCTION IF EXISTS countries_indicator_frozen();
"""
SQLITE_UP = f"""CREATE TRIGGER countries_indicator_frozen BEFORE UPDATE ON countries_indicator
    WHEN ({_changed}) AND {_used}
    BEGIN SELECT RAISE(ABORT, '{FROZEN}'); END"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS countries_indicator_frozen"


def create_trigger(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    schema_editor.execute({"postgresql": POSTGRES_UP, "sqlite": SQLITE_UP}[vendor])


def drop_trigger(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    schema_editor.execute({"postgresql": POSTGRES_DOWN, "sqlite": SQLITE_DOWN}[vendor])


class Migration(migrations.Migration):
    dependencies = [("countries", "0004_editors_group")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
