"""The founding version of the alliance's principles, entered in the log; editors decide on
memberships and publish new versions of the principles."""

from django.db import migrations

from compacts.alliance.principles import FOUNDING, principles_digest, principles_document
from compacts.editors import editors_grant, editors_revoke
from registry.appending import documents_append

CODENAMES = [
    "decide_membership",
    "publish_principles",
    "view_alliancemembership",
    "view_principles",
    "view_endorsement",
]
RENEWAL_DAYS = 90


def _append(apps, event: dict) -> None:
    """Append one entry to the log, as registry.services.registry_append does."""
    LogState = apps.get_model("registry", "LogState")
    LogState.objects.get_or_create(pk=1)
    documents_append(
        entry_model=apps.get_model("registry", "Entry"),
        node_model=apps.get_model("registry", "Node"),
        state=LogState.objects.select_for_update().get(pk=1),
        documents=[event],
    )


def founding_principles(apps, schema_editor):
    Principles = apps.get_model("compacts", "Principles")
    if Principles.objects.exists():
        return
    document = principles_document(1, FOUNDING, "The founding principles.", RENEWAL_DAYS)
    principles = Principles.objects.create(
        version=1,
        principles=FOUNDING,
        note="The founding principles.",
        renewal_days=RENEWAL_DAYS,
        digest=principles_digest(document),
    )
    _append(
        apps,
        {
            "event": "principles.published",
            "id": "principles@1",
            "url": "/principles/1/",
            "digest": principles.digest,
            "timestamp": int(principles.published_at.timestamp() * 1000),
        },
    )


def grant_editors(apps, schema_editor):
    editors_grant(apps, CODENAMES)


def revoke_editors(apps, schema_editor):
    editors_revoke(apps, CODENAMES)


class Migration(migrations.Migration):
    dependencies = [
        ("compacts", "0005_alliance_membership"),
        ("registry", "0009_names_without_control_characters"),
    ]

    operations = [
        migrations.RunPython(founding_principles, migrations.RunPython.noop),
        migrations.RunPython(grant_editors, revoke_editors),
    ]
