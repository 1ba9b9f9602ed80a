"""One organisation per name: the same name submitted twice (the Back button, a second tab),
in another case, spacing or punctuation, is refused with the existing organisation named, and
nothing is created; a name mixing look-alike alphabets is refused."""

import importlib

import pytest
from django.apps import apps

from aimai_site.errors import InvalidInput
from aimai_site.validators import name_key
from compacts import services
from compacts.models import Organisation
from countries.models import Country

pytestmark = pytest.mark.django_db

CYRILLIC_O = "\u041e"


def form(name: str) -> dict:
    return {"name": name, "kind": "research", "country": Country.objects.get(iso3="BRA").pk}


def test_the_name_key_ignores_case_spacing_and_punctuation():
    assert name_key("  Open  Compute, Co-op! ") == "open compute co op"
    assert name_key("OPEN COMPUTE CO-OP") == name_key("open compute co op")
    assert name_key("Ｏｐｅｎ Ｃｏｍｐｕｔｅ") == "open compute"  # full-width letters, NFKC
    assert name_key("Straße") == name_key("STRASSE")  # casefold


def test_submitting_the_create_form_twice_creates_one_organisation(client, cast):
    client.force_login(cast.outsider)
    first = client.post("/compacts/new-organisation/", form("Lagos AI Lab"))
    assert first.status_code == 302
    count = Organisation.objects.count()
    again = client.post("/compacts/new-organisation/", form("Lagos AI Lab"))
    assert again.status_code == 400
    page = again.content.decode()
    assert "An organisation named “Lagos AI Lab” already exists." in page
    assert Organisation.objects.count() == count


@pytest.mark.parametrize("variant", ["open compute cooperative", "Open-Compute  Cooperative."])
def test_the_same_name_written_differently_is_refused(cast, variant):
    with pytest.raises(InvalidInput) as refused:
        services.organisation_create(
            user=cast.outsider, name=variant, kind="research", country=cast.provider.country
        )
    assert refused.value.field == "name"
    assert "“Open Compute Cooperative” already exists" in refused.value.message
    assert Organisation.objects.filter(name=variant).count() == 0


def test_renaming_to_a_taken_name_is_refused_and_changes_nothing(client, cast):
    client.force_login(cast.outsider)
    response = client.post(
        f"/compacts/organisations/{cast.outsider_org.slug}/edit/",
        {**form("NAIROBI health data trust"), "country": cast.outsider_org.country_id},
    )
    assert response.status_code == 400
    assert "“Nairobi Health Data Trust” already exists" in response.content.decode()
    org = Organisation.objects.get(pk=cast.outsider_org.pk)
    assert (org.name, org.name_key) == ("Elsewhere Ltd", "elsewhere ltd")


def test_a_rename_keeps_the_key_in_step(cast):
    org = services.organisation_update(
        user=cast.outsider, organisation=cast.outsider_org, name="Elsewhere Labs"
    )
    assert Organisation.objects.get(pk=org.pk).name_key == "elsewhere labs"
    # its own name, saved again, is not a duplicate of itself
    services.organisation_update(user=cast.outsider, organisation=org, name="ELSEWHERE LABS")


def test_the_api_refuses_a_second_organisation_of_the_same_name(client, cast):
    client.force_login(cast.outsider)
    body = {"name": "Lagos AI Lab", "kind": "research", "country": "NGA"}
    assert (
        client.post("/api/v1/organisations/", body, content_type="application/json").status_code
        == 201
    )
    count = Organisation.objects.count()
    body["name"] = "lagos ai lab"
    response = client.post("/api/v1/organisations/", body, content_type="application/json")
    assert response.status_code == 400
    assert "“Lagos AI Lab” already exists" in response.json()["fields"]["name"][0]
    assert Organisation.objects.count() == count


def test_a_name_mixing_lookalike_alphabets_is_refused(client, cast):
    lookalike = f"{CYRILLIC_O}pen Compute"  # a Cyrillic О, then Latin letters
    client.force_login(cast.outsider)
    count = Organisation.objects.count()
    response = client.post("/compacts/new-organisation/", form(lookalike))
    assert response.status_code == 400
    assert "mixes letters of different alphabets (Cyrillic and Latin)" in response.content.decode()
    body = {"name": lookalike, "kind": "research", "country": "NGA"}
    api = client.post("/api/v1/organisations/", body, content_type="application/json")
    assert api.status_code == 400
    assert "alphabets" in api.json()["fields"]["name"][0]
    assert Organisation.objects.count() == count


@pytest.mark.parametrize("name", ["Ελληνικό Ίδρυμα Έρευνας", "Институт данных", "東京 AI Lab"])
def test_a_name_in_one_alphabet_or_with_other_scripts_is_welcome(cast, name):
    org = services.organisation_create(
        user=cast.outsider, name=name, kind="research", country=cast.provider.country
    )
    assert org.name_key == name_key(name)


def test_the_migration_fills_the_keys_of_existing_organisations(cast):
    migration = importlib.import_module("compacts.migrations.0008_organisation_name_key")
    Organisation.objects.filter(pk=cast.provider.pk).update(name_key="")
    migration.fill_name_keys(apps, None)
    assert Organisation.objects.get(pk=cast.provider.pk).name_key == "open compute cooperative"
