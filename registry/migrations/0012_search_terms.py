"""Registry search reads an index of words (registry/terms.py) instead of scanning every
entry: the table, and the words of every entry already in the log. A separate table, so the
log's own rows (and their append-only triggers) are left exactly as they are."""

import django.db.models.deletion
from django.db import migrations, models

from registry.terms import terms_store

CHUNK = 5000


def index_the_log(apps, schema_editor):
    Entry = apps.get_model("registry", "Entry")
    SearchTerm = apps.get_model("registry", "SearchTerm")
    after = -1
    while True:
        chunk = list(
            Entry.objects.filter(leaf_index__gt=after)
            .order_by("leaf_index")
            .only("leaf_index", "identifier", "organisation", "digest")[:CHUNK]
        )
        if not chunk:
            return
        terms_store(SearchTerm, chunk)
        after = chunk[-1].leaf_index


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0011_concern_about_a_membership"),
        # the entries appended and withheld by earlier migrations are indexed as they now are
        ("compacts", "0007_individuals_out_of_the_log"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchTerm",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("w", "word of the identifier"),
                            ("o", "word of the organisation"),
                            ("d", "digest"),
                        ],
                        max_length=1,
                    ),
                ),
                ("term", models.CharField(max_length=100)),
                (
                    "entry",
                    models.ForeignKey(
                        db_column="leaf_index",
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="terms",
                        to="registry.entry",
                        to_field="leaf_index",
                    ),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["kind", "term"], name="registry_term_lookup")],
            },
        ),
        migrations.RunPython(index_the_log, migrations.RunPython.noop),
    ]
