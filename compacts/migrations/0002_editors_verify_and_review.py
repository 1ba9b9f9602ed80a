"""Editors verify organisations and review compacts (and see them in the admin)."""

from django.db import migrations

from compacts.editors import editors_grant, editors_revoke

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
    editors_grant(apps, CODENAMES)


def revoke_editors(apps, schema_editor):
    editors_revoke(apps, CODENAMES)


class Migration(migrations.Migration):
    dependencies = [("compacts", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(grant_editors, revoke_editors)]
