"""The editors' admin: curation works, published releases stay read-only."""

import pytest
import yaml
from django.contrib.auth.models import Group, User

from countries.models import Country, DataRelease, Indicator, Methodology, MethodologyVersion

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


def test_editors_start_a_correction_from_a_published_release(editor_client):
    release = DataRelease.objects.get(slug="demo-2026-11")
    response = editor_client.post(
        "/admin/countries/datarelease/",
        {"action": "start_correction", "_selected_action": [release.pk]},
        follow=True,
    )
    draft = DataRelease.objects.get(slug__startswith="demo-2026-11-correction-")
    assert f"Draft {draft.slug} holds a copy of demo-2026-11" in response.content.decode()
    assert draft.observations.count() == 2531
    assert not draft.is_published


def methodology_file(version: str, **index) -> str:
    from countries.scoring import SHIPPED_DIR

    data = yaml.safe_load((SHIPPED_DIR / "aimai-bridgers-2.0.yaml").read_text())
    data["version"] = version
    data["index"].update(index)
    return yaml.safe_dump(data, sort_keys=False)


def test_editors_add_a_methodology_version_and_see_located_errors(editor_client):
    url = "/admin/countries/methodologyversion/add/"
    refused = editor_client.post(url, {"source": methodology_file("3.0", bridger_min=-99)})
    assert refused.status_code == 200
    assert "index.bridger_min: must be above index.divider_max (0.0)" in refused.content.decode()
    for version in ("1.0", "2.0"):
        taken = editor_client.post(url, {"source": methodology_file(version)})
        assert f"aimai-bridgers {version} already exists" in taken.content.decode()
    assert MethodologyVersion.objects.filter(methodology__slug="aimai-bridgers").count() == 2
    saved = editor_client.post(url, {"source": methodology_file("3.0"), "changes": "Draft."})
    assert saved.status_code == 302
    draft = MethodologyVersion.objects.get(methodology__slug="aimai-bridgers", version="3.0")
    assert draft.status == "draft"
    assert draft.changes == "Draft."


def test_editors_publish_a_version_and_choose_the_headline(editor_client, eager_tasks):
    from countries.scoring import methodology_version_save

    draft = methodology_version_save(source=methodology_file("3.0", bridger_min=50))
    response = editor_client.post(
        "/admin/countries/methodologyversion/",
        {"action": "publish", "_selected_action": [draft.pk]},
        follow=True,
    )
    assert "Published aimai-bridgers 3.0" in response.content.decode()
    draft.refresh_from_db()
    assert draft.is_published
    page = editor_client.get(f"/admin/countries/methodologyversion/{draft.pk}/change/")
    assert 'name="_save"' not in page.content.decode()  # published: read-only
    bridgers = Methodology.objects.get(slug="aimai-bridgers")
    response = editor_client.post(
        "/admin/countries/methodology/",
        {"action": "make_headline", "_selected_action": [bridgers.pk]},
        follow=True,
    )
    assert "is now the headline" in response.content.decode()
    assert Methodology.objects.headline() == bridgers
    assert editor_client.get("/admin/countries/scoreset/").status_code == 200


def test_a_value_typed_by_hand_meets_the_rules_of_every_import(editor_client):
    # given a draft release
    from countries.services import data_release_create

    draft = data_release_create(slug="typed", name="Typed", release_date="2026-11-21")
    kenya, internet = Country.objects.get(iso3="KEN"), Indicator.objects.get(code="internet_users")
    form = {
        "release": draft.pk,
        "country": kenya.pk,
        "indicator": internet.pk,
        "source_url": "https://data.worldbank.org/indicator/IT.NET.USER.ZS",
        "note": "",
    }
    # when an editor types Kenya's internet use for 2099 as 250 %
    refused = editor_client.post(
        "/admin/countries/observation/add/", {**form, "year": 2099, "value": 250}
    )
    # then both problems are told and nothing is stored
    page = refused.content.decode()
    assert "Year &#x27;2099&#x27; is outside 1990–" in page
    assert "Value 250 is outside the plausible range of internet_users" in page
    assert not draft.observations.exists()
    # and a plausible value is stored, its editor recorded (who may then not publish it)
    saved = editor_client.post(
        "/admin/countries/observation/add/", {**form, "year": 2022, "value": 41.5}
    )
    assert saved.status_code == 302
    assert draft.observations.get().value == 41.5
    assert list(draft.editors.values_list("username", flat=True)) == ["editor"]
