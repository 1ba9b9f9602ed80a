"""Every public page renders in every language, in that language, at the same cost: the
number of database queries does not depend on the language."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from tests.queries import page_reads

pytestmark = pytest.mark.django_db

LANGUAGES = ["en", "fr", "es", "ar"]
PAGES = [
    "/",
    "/countries/",
    "/countries/KEN/",
    "/compare/?countries=KEN,IND,BRA",
    "/methodology/",
    "/methodology/explore/?d.burden=0",
    "/methodology/proposals/",
    "/groups/",
    "/maps/",
    "/releases/",
    "/about/",
    "/cite/",
    "/registry/",
    "/compacts/",
    "/compacts/offers/",
    "/join/",
    "/principles/",
    "/members/",
    "/clusters/",
    "/data/check/",
    "/accounts/login/",
]


def address(path: str, code: str) -> str:
    return path if code == "en" else f"/{code}{path}"


def reads(client, path: str) -> int:
    cache.clear()  # rendered afresh: the cost of a render, not of a cache hit
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(page_reads(queries.captured_queries))


@pytest.mark.parametrize("path", PAGES)
def test_a_page_costs_the_same_in_every_language(client, path):
    reads(client, path)  # once, so that per-process caches are filled alike
    costs = {code: reads(client, address(path, code)) for code in LANGUAGES}
    assert len(set(costs.values())) == 1, costs


@pytest.mark.parametrize("code", ["fr", "es", "ar"])
@pytest.mark.parametrize("path", PAGES)
def test_a_page_speaks_its_language(client, path, code):
    html = client.get(address(path, code)).content.decode()
    direction = "rtl" if code == "ar" else "ltr"
    assert f'<html lang="{code}" dir="{direction}">' in html
    with translation.override(code):
        for english in ("Countries", "Methodology", "Skip to content"):
            translated = translation.gettext(english)
            assert translated != english
            assert f">{translated}<" in html, (english, translated)
