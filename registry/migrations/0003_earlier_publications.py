"""Enter once, in publication order, what was published before the registry existed (data
releases, methodology versions, score sets), with their original publication times, so that
the log is complete from the start. On a new database there is nothing to enter."""

from django.db import migrations

from registry import merkle


def _events(apps):
    DataRelease = apps.get_model("countries", "DataRelease")
    MethodologyVersion = apps.get_model("countries", "MethodologyVersion")
    ScoreSet = apps.get_model("countries", "ScoreSet")
    events = []
    for release in DataRelease.objects.filter(status="published"):
        events.append(
            (
                release.published_at,
                "data_release.published",
                release.slug,
                f"/api/v1/releases/{release.slug}/",
                release.content_digest,
            )
        )
    for version in MethodologyVersion.objects.filter(status="published").select_related(
        "methodology"
    ):
        slug = version.methodology.slug
        events.append(
            (
                version.published_at,
                "methodology_version.published",
                f"{slug}@{version.version}",
                f"/methodology/{slug}/{version.version}.yaml",
                version.digest,
            )
        )
    for score_set in ScoreSet.objects.all():
        events.append(
            (
                score_set.created_at,
                "score_set.published",
                score_set.digest,
                f"/api/v1/score-sets/{score_set.digest}/",
                score_set.digest,
            )
        )
    return sorted(events, key=lambda e: (e[0], e[1], e[2]))


def enter_earlier_publications(apps, schema_editor):
    LogState = apps.get_model("registry", "LogState")
    Entry = apps.get_model("registry", "Entry")
    Node = apps.get_model("registry", "Node")
    LogState.objects.get_or_create(pk=1)
    state = LogState.objects.select_for_update().get(pk=1)
    if state.size:  # the log already holds entries: it was complete from its start
        return
    frontier, entries, nodes = [], [], []
    for size, (moment, event, identifier, url, digest) in enumerate(_events(apps)):
        stamp = int(moment.timestamp() * 1000)
        doc = {"event": event, "id": identifier, "url": url, "digest": digest, "timestamp": stamp}
        text = merkle.canonical_json(doc).decode("utf-8")
        leaf = merkle.leaf_hash(text.encode("utf-8"))
        nodes += [
            Node(level=level, index=index, hash=h.hex())
            for (level, index), h in merkle.append(frontier, size, leaf)
        ]
        entries.append(
            Entry(
                leaf_index=size,
                entry=text,
                leaf_hash=leaf.hex(),
                event=event,
                identifier=identifier,
                url=url,
                digest=digest,
                timestamp=stamp,
            )
        )
    Entry.objects.bulk_create(entries)
    Node.objects.bulk_create(nodes)
    state.size = len(entries)
    state.frontier = [[level, h.hex()] for level, h in frontier]
    state.save()


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0002_append_only"),
        ("countries", "0007_immutable_methodologies_and_score_sets"),
    ]

    operations = [migrations.RunPython(enter_earlier_publications, migrations.RunPython.noop)]
