"""Two roles for four eyes: Editors import and edit drafts; Reviewers publish them.

Editors no longer publish releases: a reviewer who did not edit a release publishes it (the
service refuses anyone who did, whatever their groups or superuser status).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS, REVIEWERS = "Editors", "Reviewers"
EDITOR_PERMISSIONS = {
    "country": ["view", "change"],
    "indicator": ["view", "add", "change", "delete"],
    "datarelease": ["view", "add", "change", "delete"],
    "observation": ["view", "add", "change", "delete"],
    "dataimport": ["view", "add", "change"],
    "importmapping": ["view", "add", "change", "delete"],
}
REVIEWER_PERMISSIONS = {
    "country": ["view"],
    "indicator": ["view"],
    "datarelease": ["view", "publish"],
    "observation": ["view"],
    "dataimport": ["view"],
    "importmapping": ["view"],
}


def _permissions(apps, spec):
    Permission = apps.get_model("auth", "Permission")
    codenames = [f"{action}_{model}" for model, actions in spec.items() for action in actions]
    found = list(
        Permission.objects.filter(content_type__app_label="countries", codename__in=codenames)
    )
    missing = set(codenames) - {p.codename for p in found}
    if missing:
        raise RuntimeError(f"permissions not found: {sorted(missing)}")
    return found


def roles_set(apps, schema_editor):
    app_config = apps.get_app_config("countries")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    editors, _ = Group.objects.get_or_create(name=EDITORS)
    # add and remove, never set: other apps grant the group their own permissions
    editors.permissions.add(*_permissions(apps, EDITOR_PERMISSIONS))
    editors.permissions.remove(*_permissions(apps, {"datarelease": ["publish"]}))
    reviewers, _ = Group.objects.get_or_create(name=REVIEWERS)
    reviewers.permissions.set(_permissions(apps, REVIEWER_PERMISSIONS))


def roles_unset(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name=REVIEWERS).delete()
    for editors in Group.objects.filter(name=EDITORS):
        editors.permissions.add(*_permissions(apps, {"datarelease": ["publish"]}))


class Migration(migrations.Migration):
    dependencies = [("countries", "0010_editors_desk")]

    operations = [migrations.RunPython(roles_set, roles_unset)]
