"""The "limits" cache table that counts rate limits and log-in failures across processes when
there is no Redis (a no-op when that cache is Redis)."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("aimai_site", "0001_api_tokens")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
