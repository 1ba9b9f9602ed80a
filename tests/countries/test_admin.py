"""The editors' admin: curation works, published releases stay read-only."""

import pytest
from django.contrib.auth.models import Group, User

from countries.models import Country, DataRelease, Indicator, Observation

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client):
    editor = User.objects.create_user("editor", "editor@example.org", "pw", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    return client


@pytest.mark.parametrize(
    "path",
    [
        "/admin/countries/country/?region__exact=Africa",
        "/admin/countries/indicator/?dimension__exact=burden",
        "/admin/countries/observation/?q=KEN",
        "/admin/countries/datarelease/",
    ],
)
def test_editors_can_search_and_filter_every_list(editor_client, path):
    assert editor_client.get(path).status_code == 200


def test_a_published_release_is_read_only_for_editors(editor_client):
    release = DataRelease.objects.get(slug="demo-2026-11")
    obs = release.observations.first()
    page = editor_client.get(f"/admin/countries/datarelease/{release.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    refused = editor_client.post(f"/admin/countries/observation/{obs.pk}/change/", {"value": "0"})
    assert refused.status_code == 403
    obs.refresh_from_db()
    assert obs.value != 0


def test_editors_publish_a_draft_through_the_admin_action(editor_client):
    # given a draft with one observation
    draft = DataRelease.objects.create(slug="d1", name="Draft 1", release_date="2026-11-21")
    Observation.objects.create(
        release=draft,
        country=Country.objects.get(iso3="KEN"),
        indicator=Indicator.objects.get(code="internet_users"),
        year=2024,
        value=41.0,
        source_url="https://example.org",
        provenance="admin test",
    )
    # when the publish action runs
    response = editor_client.post(
        "/admin/countries/datarelease/",
        {"action": "publish", "_selected_action": [draft.pk]},
        follow=True,
    )
    # then the draft is published with its digest
    assert "Published d1." in response.content.decode()
    draft.refresh_from_db()
    assert draft.is_published
    assert len(draft.content_digest) == 64


def test_publishing_an_empty_release_shows_the_reason(editor_client):
    empty = DataRelease.objects.create(slug="e1", name="Empty", release_date="2026-11-21")
    response = editor_client.post(
        "/admin/countries/datarelease/",
        {"action": "publish", "_selected_action": [empty.pk]},
        follow=True,
    )
    assert "has no observations; there is nothing to publish" in response.content.decode()


def test_editors_start_a_correction_from_a_published_release(editor_client):
    release = DataRelease.objects.get(slug="demo-2026-11")
    response = editor_client.post(
        "/admin/countries/datarelease/",
        {"action": "start_correction", "_selected_action": [release.pk]},
        follow=True,
    )
    draft = DataRelease.objects.get(slug__startswith="demo-2026-11-correction-")
    assert f"Draft {draft.slug} holds a copy of demo-2026-11." in response.content.decode()
    assert draft.observations.count() == 2531
    assert not draft.is_published
