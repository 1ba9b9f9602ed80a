"""Countries and regions are named in the reader's language by locale data (CLDR, and the ISO
3166 translations pycountry ships), listed in that language's alphabetical order and found by
either name; files and the API keep the stored English names."""

import re

import pytest
from django.utils import translation

from compacts.alliance.forms import JoinForm
from countries.names import country_name, name_sort_key, official_name, region_name

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


@pytest.mark.parametrize(
    ("code", "germany", "western_europe", "formal"),
    [
        ("en", "Germany", "Western Europe", "Federal Republic of Germany"),
        ("fr", "Allemagne", "Europe de l’Ouest", "République fédérale d'Allemagne"),
        ("es", "Alemania", "Europa occidental", "República Federal de Alemania"),
        ("ar", "ألمانيا", "غرب أوروبا", "جمهوريّة ألمانيا الاتّحاديّة"),
    ],
)
def test_a_country_page_names_the_country_and_its_region_in_the_page_language(
    client, code, germany, western_europe, formal
):
    prefix = "" if code == "en" else f"/{code}"
    page = text(client.get(f"{prefix}/countries/DEU/"))
    assert re.search(rf"<h1>{re.escape(germany)} <span", page)
    assert western_europe in page
    assert formal.replace("'", "&#x27;") in page


def test_names_fall_back_to_the_stored_english_name_where_locale_data_has_none():
    assert country_name("DE", "Germany", "fr") == "Allemagne"
    assert country_name("DE", "Germany", "en") == "Germany"  # English: the stored name
    assert country_name("ZZ", "Nowhere", "fr") == "Nowhere"
    assert country_name("DE", "Germany", "xx") == "Germany"  # a language CLDR does not know
    assert region_name("Sub-Saharan Africa", "es") == "África subsahariana"
    assert region_name("Atlantis", "es") == "Atlantis"
    assert official_name("Nowhere at all", "fr") == "Nowhere at all"


def test_the_country_list_is_in_the_alphabetical_order_of_the_page_language(client):
    english = text(client.get("/countries/"))
    french = text(client.get("/fr/countries/"))
    # Germany comes after Egypt and Spain in English; Allemagne before Égypte and Espagne
    assert english.index(">Egypt<") < english.index(">Germany<")
    assert french.index(">Allemagne<") < french.index(">Égypte<") < french.index(">Espagne<")
    assert name_sort_key("Égypte") < name_sort_key("Espagne") < name_sort_key("Éthiopie")


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/fr/countries/find/?q=Allemagne", "/countries/DEU/"),
        ("/fr/countries/find/?q=germany", "/countries/DEU/"),  # the English name finds it too
        ("/es/countries/find/?q=alemania", "/countries/DEU/"),
        ("/ar/countries/find/?q=ألمانيا", "/countries/DEU/"),
    ],
)
def test_a_country_is_found_by_its_name_in_the_page_language_or_in_english(client, path, expected):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].endswith(expected)


def test_country_filters_offer_countries_by_their_local_names_in_local_order(client):
    page = text(client.get("/ar/compacts/offers/"))
    assert '<option value="KEN">كينيا</option>' in page
    options = re.findall(r'<select name="country"[^>]*>(.*?)</select>', page, re.S)[0]
    labels = re.findall(r'<option value="[A-Z]{3}">([^<]+)</option>', options)
    assert len(labels) > 200
    assert labels == sorted(labels, key=name_sort_key)


def test_the_regions_page_names_regions_in_the_page_language(client):
    page = text(client.get("/es/groups/"))
    assert "África" in page
    assert "Europa" in page
    assert ">Africa<" not in page


def test_files_and_the_api_keep_the_stored_english_names(client):
    client.cookies["language"] = "ar"
    api = client.get("/api/v1/countries/DEU/", HTTP_ACCEPT_LANGUAGE="ar").json()
    assert api["name"] == "Germany"
    download = client.get("/downloads/scores.csv").content.decode()
    assert "Kenya" in download
    assert "كينيا" not in download


def test_the_member_forms_country_field_names_and_orders_countries_in_the_reader_language():
    field = JoinForm().fields["organisation_country"]
    with translation.override("fr"):
        labels = [str(label) for _value, label in field.choices][1:]
    assert "Allemagne (DEU)" in labels
    assert "Germany (DEU)" not in labels
    assert labels == sorted(labels, key=name_sort_key)


@pytest.mark.parametrize(
    ("code", "africa"), [("en", "Africa"), ("fr", "Afrique"), ("ar", "أفريقيا")]
)
def test_the_findings_link_each_region_to_the_table_filtered_by_it_in_every_language(
    client, code, africa
):
    page = text(client.get("/" if code == "en" else f"/{code}/"))
    table = page[page.index('id="findings-region"') :]
    table = table[: table.index("</table>")]
    assert f'region=Africa#scores-table">{africa}</a>' in table
