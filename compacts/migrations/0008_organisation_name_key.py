"""One organisation per name: each organisation's name as people read it, unique.

Organisations that already share a name keep their rows: the oldest keeps the plain key, the
others get theirs followed by their id, so the constraint holds and nothing is lost."""

from django.db import migrations, models

import aimai_site.validators
from aimai_site.validators import name_key


def fill_name_keys(apps, schema_editor):
    Organisation = apps.get_model("compacts", "Organisation")
    taken = set()
    for org in Organisation.objects.order_by("created_at", "pk"):
        key = name_key(org.name)[:200]
        if key in taken:
            key = f"{key[:180]} #{org.pk}"
        taken.add(key)
        org.name_key = key
        org.save(update_fields=["name_key"])


class Migration(migrations.Migration):
    dependencies = [
        ("compacts", "0007_individuals_out_of_the_log"),
    ]

    operations = [
        migrations.AddField(
            model_name="organisation",
            name="name_key",
            field=models.CharField(default="", editable=False, max_length=200),
            preserve_default=False,
        ),
        migrations.RunPython(fill_name_keys, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="organisation",
            name="name_key",
            field=models.CharField(editable=False, max_length=200, unique=True),
        ),
        migrations.AlterField(
            model_name="organisation",
            name="name",
            field=models.CharField(
                max_length=200,
                validators=[
                    aimai_site.validators.PlainTextValidator(),
                    aimai_site.validators.one_alphabet,
                ],
            ),
        ),
    ]
