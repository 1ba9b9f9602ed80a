"""The registry in the editors' admin reads as plain English."""

import pytest
from django.contrib.auth.models import User

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/admin/", "/admin/registry/", "/admin/registry/witness/"])
def test_witnesses_are_named_in_the_plural(client, path):
    client.force_login(User.objects.create_superuser("root", "root@example.org", "pw"))
    html = client.get(path).content.decode()
    assert "Witnesses" in html
    assert "itnesss" not in html
