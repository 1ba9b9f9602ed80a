"""Editors verify organisations and review compacts (and see them in the admin)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CODENAMES = [
    "verify_organisation",
    "review_compact",
    "view_organisation",
    "change_organisation",
    "view_compact",
    "view_offer",
    "view_need",
]


def grant_editors(apps, schema_editor):
    app_config = apps.get_app_config("compacts")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Editors")
    permissions = list(
        Permission.objects.filter(content_type__app_label="compacts", codename__in=CODENAMES)
    )
    missing = set(CODENAMES) - {p.codename for p in permissions}
    if missing:
        raise RuntimeError(f"permissions not found: {sorted(missing)}")
    group.permissions.add(*permissions)


def revoke_editors(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name="Editors"):
        group.permissions.remove(*group.permissions.filter(codename__in=CODENAMES))


class Migration(migrations.Migration):
    dependencies = [("compacts", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(grant_editors, revoke_editors)]
