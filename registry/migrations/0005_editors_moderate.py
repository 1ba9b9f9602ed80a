"""Editors read the log, register witnesses and moderate concerns."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR_PERMISSIONS = {
    "entry": ["view"],
    "treehead": ["view"],
    "witness": ["view", "add", "change"],
    "concern": ["view", "change"],
}


def _codenames() -> list[str]:
    return [f"{a}_{model}" for model, actions in EDITOR_PERMISSIONS.items() for a in actions]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("registry")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Editors")
    permissions = list(
        Permission.objects.filter(content_type__app_label="registry", codename__in=_codenames())
    )
    missing = set(_codenames()) - {p.codename for p in permissions}
    if missing:
        raise RuntimeError(f"permissions not found: {sorted(missing)}")
    group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    for group in apps.get_model("auth", "Group").objects.filter(name="Editors"):
        group.permissions.remove(*group.permissions.filter(codename__in=_codenames()))


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0004_concerns"),
        ("countries", "0007_immutable_methodologies_and_score_sets"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
