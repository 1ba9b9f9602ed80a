"""Why an offer is suggested for a need reads in the page's language: the matcher keeps its
reasons as codes beside the English (which the API gives), and pages word them with the
vocabularies' labels and locale data's names of languages and countries."""

from types import SimpleNamespace

import pytest
from django.utils import translation

from compacts.choices import ResourceKind
from compacts.models import Suggestion
from compacts.reasons import suggestion_reasons
from tests.compacts.conftest import cast  # noqa: F401 (a fixture)
from tests.compacts.test_pages import published_pair

pytestmark = pytest.mark.django_db


def test_a_members_suggestions_give_their_reasons_in_the_page_language(client, request):
    members = request.getfixturevalue("cast")
    published_pair(members)
    suggestion = Suggestion.objects.get()
    assert suggestion.reasons[0] == "offers compute, which the need asks for"  # the API's
    assert suggestion.explanation[0] == {"why": "gives", "codes": ["compute"]}
    client.force_login(members.provider_owner)
    english = client.get("/compacts/dashboard/").content.decode()
    assert "Offers compute, which the need asks for" in english
    french = client.get("/fr/compacts/dashboard/").content.decode()
    with translation.override("fr"):
        compute = str(ResourceKind.COMPUTE.label).lower()
    assert f"Propose {compute}, que le besoin demande" in french
    assert "which the need asks for" not in french


def explained(*items, reasons=("the stored English",)):
    return SimpleNamespace(explanation=list(items), reasons=list(reasons))


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("en", "shared languages: Swahili and French"),
        ("fr", "langues communes : swahili et français"),
        ("es", "idiomas compartidos: suajili y francés"),
    ],
)
def test_languages_and_countries_are_named_by_locale_data(code, expected):
    with translation.override(code):
        worded = suggestion_reasons(
            explained(
                {"why": "languages", "codes": ["sw", "fr"]},
                {"why": "mutual_aid", "codes": ["DEU", "KEN"]},
            )
        )
    assert worded[0] == expected
    kenya = {"en": "Kenya", "fr": "Kenya", "es": "Kenia"}[code]
    assert worded[1].endswith(f"({kenya})")


def test_a_row_without_an_explanation_or_with_an_unknown_one_keeps_its_english():
    with translation.override("fr"):
        assert suggestion_reasons(explained()) == ["the stored English"]
        unknown = explained({"why": "gives", "codes": ["compute"]}, {"why": "new", "codes": []})
        assert suggestion_reasons(unknown) == ["the stored English"]
