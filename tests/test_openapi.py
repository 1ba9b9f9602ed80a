import re

import pytest
from django.core.management import call_command


def test_schema_builds_and_validates(tmp_path):
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = target.read_text()
    assert "/api/v1/countries/{iso3}/" in schema


@pytest.mark.django_db
def test_api_docs_are_served_from_the_site_itself(client):
    html = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in html
    external = [u for u in re.findall(r'(?:src|href)="(https?://[^"]+)"', html)]
    assert external == []
