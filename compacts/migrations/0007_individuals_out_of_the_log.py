"""Individuals out of the log: a person takes part under a random slug, and entries that
named one are withheld.

Until now an organisation of kind "individual" had a slug made from the person's name, and
its verification and its compacts entered the log under that name. The log cannot change
(every leaf hash is in the signed tree), so those entries are withheld: their text is
blanked, their leaf hash kept, and an `entry.withheld` entry appended for each (see
registry/withholding.py). Historical models only; the registry's pure functions do the work.
"""

import re
import secrets
import time

from django.db import migrations
from django.utils.text import slugify

from registry.withholding import entries_naming, entries_withhold

OPAQUE = re.compile(r"^member-[0-9a-f]{10}$")
REASON = "named an individual member"


def individuals_out_of_the_log(apps, schema_editor):
    Organisation = apps.get_model("compacts", "Organisation")
    Entry = apps.get_model("registry", "Entry")
    Node = apps.get_model("registry", "Node")
    LogState = apps.get_model("registry", "LogState")
    texts = []
    for org in Organisation.objects.filter(kind="individual").order_by("pk"):
        texts.append(org.name)
        if OPAQUE.match(org.slug):
            continue  # made with a random slug: its entries never named the person
        texts += [org.slug, slugify(org.name)]
        slug = f"member-{secrets.token_hex(5)}"
        while Organisation.objects.filter(slug=slug).exists():
            slug = f"member-{secrets.token_hex(5)}"
        org.slug = slug
        org.save(update_fields=["slug"])
    found = entries_naming(Entry, texts)
    if not found:
        return
    LogState.objects.get_or_create(pk=1)
    state = LogState.objects.select_for_update().get(pk=1)
    entries_withhold(
        entry_model=Entry,
        node_model=Node,
        state=state,
        leaf_indexes=found,
        reason=REASON,
        timestamp=time.time_ns() // 1_000_000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("compacts", "0006_alliance_principles_and_editors"),
        ("registry", "0010_withheld_entries_and_commitment_subjects"),
    ]

    operations = [
        migrations.RunPython(individuals_out_of_the_log, migrations.RunPython.noop),
    ]
