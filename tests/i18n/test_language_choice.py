"""Which language a request is answered in, and how a visitor changes it: pages carry their
language in the address (English plain, the others under /fr/, /es/, /ar/); a first visit
is sent to the language its browser asks for; the chooser remembers a choice; everything that
is not a page follows the visitor's choice and stays locale-neutral."""

import pytest
from django.core.cache import cache
from django.utils import translation

from aimai_site.languages import path_in_language, path_language, path_without_language
from aimai_site.models import LanguagePreference

pytestmark = pytest.mark.django_db

SHARED = "/compare/?countries=KEN,IND,BRA"


@pytest.mark.parametrize("code", ["en", "fr", "es", "ar"])
def test_each_language_has_its_own_address_and_says_which_it_is(client, code):
    path = "/countries/" if code == "en" else f"/{code}/countries/"
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    direction = "rtl" if code == "ar" else "ltr"
    assert f'<html lang="{code}" dir="{direction}">' in html
    assert response["Content-Language"] == code
    # search engines and readers find the page in the other languages
    for other in ("en", "fr", "es", "ar"):
        assert f'hreflang="{other}"' in html


def test_a_first_visit_goes_to_the_language_the_browser_asks_for_with_its_state(client):
    response = client.get(SHARED, HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9,en;q=0.5")
    assert response.status_code == 302
    assert response["Location"] == f"/es{SHARED}"
    assert "Accept-Language" in response["Vary"]
    assert "Cookie" in response["Vary"]


def test_a_browser_asking_for_english_or_an_unknown_language_stays_on_the_plain_address(client):
    for header in ("en-GB,en;q=0.8", "sw,de;q=0.5", ""):
        response = client.get("/countries/", HTTP_ACCEPT_LANGUAGE=header)
        assert response.status_code == 200, header
        assert response["Content-Language"] == "en"
        assert "Accept-Language" in response["Vary"]


def test_the_chooser_remembers_the_choice_and_keeps_the_page_and_its_state(client):
    response = client.get("/language/ar/", {"next": f"/fr{SHARED}"})
    assert response.status_code == 302
    assert response["Location"] == f"/ar{SHARED}"
    assert response.cookies["language"].value == "ar"
    assert response.cookies["language"]["samesite"] == "Lax"
    # the remembered choice beats the browser's on the next plain address
    again = client.get("/countries/", HTTP_ACCEPT_LANGUAGE="fr")
    assert again["Location"] == "/ar/countries/"
    # and back to English: the plain address, no longer sent away
    client.get("/language/en/", {"next": f"/ar{SHARED}"})
    assert client.get(SHARED, HTTP_ACCEPT_LANGUAGE="fr").status_code == 200


def test_an_address_naming_its_language_wins_over_the_remembered_choice(client):
    client.cookies["language"] = "ar"
    response = client.get("/es/countries/")
    assert response.status_code == 200
    assert response["Content-Language"] == "es"


def test_the_chooser_refuses_other_sites_and_unknown_languages(client):
    # the home page in the chosen language instead
    response = client.get("/language/fr/", {"next": "https://elsewhere.example/x"})
    assert response["Location"] == "/fr/"
    response = client.get("/language/fr/", {"next": "//elsewhere.example/x"})
    assert response["Location"] == "/fr/"
    assert client.get("/language/de/", {"next": "/"}).status_code == 404


def test_a_signed_in_member_s_choice_is_kept_for_their_e_mail(client, django_user_model):
    from aimai_site.languages import user_language

    user = django_user_model.objects.create_user("lina", "lina@example.org", "pw-lina-123456")
    client.force_login(user)
    client.get("/language/es/", {"next": "/"})
    assert LanguagePreference.objects.get(user=user).language == "es"
    assert user_language(user) == "es"
    client.get("/language/ar/", {"next": "/"})
    assert user_language(user) == "ar"


def test_files_and_the_api_have_one_address_and_locale_neutral_contents(client):
    english = client.get("/downloads/scores.csv")
    arabic = client.get("/downloads/scores.csv", HTTP_ACCEPT_LANGUAGE="ar")
    assert english.status_code == arabic.status_code == 200
    assert b"".join(english.streaming_content if english.streaming else [english.content]) == (
        b"".join(arabic.streaming_content if arabic.streaming else [arabic.content])
    )
    assert client.get("/api/v1/", HTTP_ACCEPT_LANGUAGE="fr").status_code == 200
    assert client.get("/fr/api/v1/").status_code == 404


def test_the_openapi_schema_stays_english(client):
    english = client.get("/api/schema/", HTTP_ACCEPT="application/json").content
    french = client.get(
        "/api/schema/", HTTP_ACCEPT="application/json", HTTP_ACCEPT_LANGUAGE="fr"
    ).content
    assert english == french


def test_a_page_rendered_once_is_kept_once_per_language(client):
    cache.clear()
    english = client.get("/methodology/")
    french = client.get("/fr/methodology/")
    english_again = client.get("/methodology/")
    assert english["ETag"] != french["ETag"]
    assert english_again.content == english.content
    assert client.get("/fr/methodology/").content == french.content
    assert b'<html lang="fr"' in french.content
    assert b'<html lang="en"' in english.content


@pytest.mark.parametrize(
    ("path", "code", "expected"),
    [
        ("/countries/KEN/", "fr", "/fr/countries/KEN/"),
        ("/fr/countries/KEN/", "en", "/countries/KEN/"),
        ("/fr/countries/KEN/", "ar", "/ar/countries/KEN/"),
        ("/api/v1/", "fr", "/api/v1/"),
        ("/downloads/scores.csv", "es", "/downloads/scores.csv"),
    ],
)
def test_a_page_s_address_in_another_language(path, code, expected):
    assert path_in_language(path, code) == expected


def test_a_prefix_is_a_language_only_when_it_is_one_of_ours():
    assert path_language("/fr/countries/") == "fr"
    assert path_language("/en/countries/") is None  # English has the plain address
    assert path_language("/de/countries/") is None
    assert path_without_language("/ar/") == "/"


@pytest.mark.parametrize("code", ["en", "fr", "es", "ar"])
def test_the_api_s_error_messages_follow_accept_language_and_keep_their_codes(client, code):

    response = client.get("/api/v1/scores/", {"limit": "abc"}, HTTP_ACCEPT_LANGUAGE=code)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert list(body["fields"]) == ["limit"]
    with translation.override(code):
        expected = translation.gettext("Must be a whole number from %(low)s to %(high)s.")
    if code != "en":
        assert expected != "Must be a whole number from %(low)s to %(high)s."
    assert body["fields"]["limit"][0] == expected % {"low": 1, "high": 500}


def test_a_pages_language_does_not_outlive_its_request(client):
    """Whatever runs next on the thread (another request, a task run in-process, a test)
    starts from the default language, not the last page's."""
    with translation.override("en"):
        client.get("/ar/countries/")
        assert translation.get_language() == "en"
