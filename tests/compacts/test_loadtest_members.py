"""The load test's members: made only when asked for explicitly, each able to sign in and sign
the compact made for it."""

import json

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from compacts.models import Compact

pytestmark = pytest.mark.django_db


def test_it_refuses_to_run_without_debug_or_yes(settings, tmp_path):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="runs only with DEBUG on, or with --yes"):
        call_command("loadtest_members", count=1, output=tmp_path / "members.json")
    assert not (tmp_path / "members.json").exists()


def test_each_member_signs_in_and_signs_its_compact(settings, tmp_path):
    settings.DEBUG = False
    output = tmp_path / "members.json"
    call_command("loadtest_members", count=2, output=output, yes=True)
    call_command("loadtest_members", count=2, output=output, yes=True)  # again: fresh compacts
    members = json.loads(output.read_text())["members"]
    assert len(members) == 2
    for member in members:
        client = APIClient()
        assert client.login(username=member["email"], password=member["password"])
        answer = client.post(
            f"/api/v1/compacts/{member['compact']}/sign/",
            {"party": member["party"], "revision": member["revision"]},
            format="json",
        )
        assert answer.status_code == 200, answer.content
        assert answer.json()["status"] == "signed"  # the partner had signed already
    assert Compact.objects.filter(title__startswith="Load test compact").count() == 4
