from django.db import migrations

from countries.reference import countries_sync


def load_countries(apps, schema_editor):
    countries_sync(apps.get_model("countries", "Country"))


class Migration(migrations.Migration):
    dependencies = [("countries", "0001_initial")]

    operations = [migrations.RunPython(load_countries, migrations.RunPython.noop)]
