"""The Editors group's permissions on the compacts app, as the data migrations grant them."""

from django.contrib.auth.management import create_permissions


def editors_grant(apps, codenames: list[str]) -> None:
    """Give the Editors group these compacts permissions (made first: a migration runs before
    Django's post-migrate signal would make them)."""
    app_config = apps.get_app_config("compacts")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Editors")
    permissions = list(
        Permission.objects.filter(content_type__app_label="compacts", codename__in=codenames)
    )
    missing = set(codenames) - {p.codename for p in permissions}
    if missing:
        raise RuntimeError(f"permissions not found: {sorted(missing)}")
    group.permissions.add(*permissions)


def editors_revoke(apps, codenames: list[str]) -> None:
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name="Editors"):
        group.permissions.remove(*group.permissions.filter(codename__in=codenames))
