"""Published methodology versions and every score set and score are immutable in the database.

Score sets are only ever added (a newer one supersedes an older one), so no UPDATE or DELETE
on them is ever legitimate; a published methodology version can no longer change or go away.
The purge hatch of migration 0003 (deletes only, inside a purging transaction) applies here too.
Also gives Editors what they need to curate methodologies.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

FROZEN_VERSION = "methodology version is published and frozen"
FROZEN_SCORES = "score sets are append-only"

POSTGRES_UP = f"""
CREATE OR REPLACE FUNCTION countries_methodologyversion_frozen() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('aimai.purge_frozen', true) = 'on' THEN
        RETURN OLD;
    END IF;
    IF OLD.status = 'published' THEN
        RAISE EXCEPTION '{FROZEN_VERSION}' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER countries_methodologyversion_frozen
    BEFORE UPDATE OR DELETE ON countries_methodologyversion
    FOR EACH ROW EXECUTE FUNCTION countries_methodologyversion_frozen();

CREATE OR REPLACE FUNCTION countries_scores_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('aimai.purge_frozen', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION '{FROZEN_SCORES}' USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER countries_scoreset_append_only
    BEFORE UPDATE OR DELETE ON countries_scoreset
    FOR EACH ROW EXECUTE FUNCTION countries_scores_append_only();
CREATE TRIGGER countries_score_append_only
    BEFORE UPDATE OR DELETE ON countries_score
    FOR EACH ROW EXECUTE FUNCTION countries_scores_append_only();
"""  # SQL from constants  # nosec B608

POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS countries_methodologyversion_frozen ON countries_methodologyversion;
DROP FUNCTION IF EXISTS countries_methodologyversion_frozen();
DROP TRIGGER IF EXISTS countries_scoreset_append_only ON countries_scoreset;
DROP TRIGGER IF EXISTS countries_score_append_only ON countries_score;
DROP FUNCTION IF EXISTS countries_scores_append_only();
"""

_not_purging = "NOT EXISTS (SELECT 1 FROM countries_frozen_purge)"
SQLITE_UP = [
    f"""CREATE TRIGGER countries_methodologyversion_frozen_update
        BEFORE UPDATE ON countries_methodologyversion WHEN OLD.status = 'published'
        BEGIN SELECT RAISE(ABORT, '{FROZEN_VERSION}'); END""",
    f"""CREATE TRIGGER countries_methodologyversion_frozen_delete
        BEFORE DELETE ON countries_methodologyversion
        WHEN OLD.status = 'published' AND {_not_purging}
        BEGIN SELECT RAISE(ABORT, '{FROZEN_VERSION}'); END""",
]
for _table in ("countries_scoreset", "countries_score"):
    SQLITE_UP += [
        f"""CREATE TRIGGER {_table}_append_only_update BEFORE UPDATE ON {_table}
            BEGIN SELECT RAISE(ABORT, '{FROZEN_SCORES}'); END""",
        f"""CREATE TRIGGER {_table}_append_only_delete BEFORE DELETE ON {_table}
            WHEN {_not_purging}
            BEGIN SELECT RAISE(ABORT, '{FROZEN_SCORES}'); END""",
    ]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS countries_methodologyversion_frozen_update",
    "DROP TRIGGER IF EXISTS countries_methodologyversion_frozen_delete",
    "DROP TRIGGER IF EXISTS countries_scoreset_append_only_update",
    "DROP TRIGGER IF EXISTS countries_scoreset_append_only_delete",
    "DROP TRIGGER IF EXISTS countries_score_append_only_update",
    "DROP TRIGGER IF EXISTS countries_score_append_only_delete",
]

EDITOR_PERMISSIONS = {
    "methodology": ["view", "add", "change"],
    "methodologyversion": ["view", "add", "change", "delete", "publish"],
    "scoreset": ["view"],
    "score": ["view"],
}


def _run(schema_editor, statements: dict) -> None:
    vendor = schema_editor.connection.vendor
    if vendor not in statements:
        raise RuntimeError(f"no immutability triggers written for the {vendor} database")
    for statement in statements[vendor]:
        schema_editor.execute(statement)


def create_triggers(apps, schema_editor):
    _run(schema_editor, {"postgresql": [POSTGRES_UP], "sqlite": SQLITE_UP})


def drop_triggers(apps, schema_editor):
    _run(schema_editor, {"postgresql": [POSTGRES_DOWN], "sqlite": SQLITE_DOWN})


def grant_editors(apps, schema_editor):
    app_config = apps.get_app_config("countries")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Editors")
    codenames = [f"{a}_{model}" for model, actions in EDITOR_PERMISSIONS.items() for a in actions]
    permissions = list(
        Permission.objects.filter(content_type__app_label="countries", codename__in=codenames)
    )
    missing = set(codenames) - {p.codename for p in permissions}
    if missing:
        raise RuntimeError(f"permissions not found: {sorted(missing)}")
    group.permissions.add(*permissions)


def revoke_editors(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    codenames = [f"{a}_{model}" for model, actions in EDITOR_PERMISSIONS.items() for a in actions]
    for group in Group.objects.filter(name="Editors"):
        group.permissions.remove(*group.permissions.filter(codename__in=codenames))


class Migration(migrations.Migration):
    dependencies = [("countries", "0006_index_methodologies_and_score_sets")]

    operations = [
        migrations.RunPython(create_triggers, drop_triggers),
        migrations.RunPython(grant_editors, revoke_editors),
    ]
