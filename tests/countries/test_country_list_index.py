"""The countries list: each country's AIMAI and class in the index, or "not scored" and why."""

import re

import pytest

from countries.listing import unscored_reason
from countries.models import Country, DataRelease
from countries.selectors import score_set_resolve, score_set_rows
from tests.countries.test_pages import query_count

pytestmark = pytest.mark.django_db


def test_why_a_country_is_not_scored():
    scored = {"aimai": 12.5, "capability": 50.0, "solidarity": 40.0, "burden": 30.0}
    assert unscored_reason(scored, 20) == ""
    assert unscored_reason(None, 0) == "no data in this release"
    assert unscored_reason(None, 3) == "not in the index's score set"
    gaps = {"aimai": None, "capability": None, "solidarity": 20.0, "burden": None}
    assert unscored_reason(gaps, 3) == "no capability or burden score"
    short = {"aimai": None, "capability": 1.0, "solidarity": 2.0, "burden": 3.0}
    assert unscored_reason(short, 3) == "insufficient data"


def _row(html: str, iso3: str) -> str:
    return re.search(rf"<tr>(?:(?!</tr>).)*<code>{iso3}</code>.*?</tr>", html, re.S).group(0)


def test_the_list_shows_aimai_and_class_or_not_scored_and_why(client):
    rows = score_set_rows(score_set_resolve())
    counts = {
        c.iso3: c.observation_count
        for c in Country.objects.with_observation_count(DataRelease.objects.current())
    }
    scored = next(r for r in rows if r["aimai"] is not None)
    gap = next(r for r in rows if r["aimai"] is None and counts[r["country"]])
    listed = {r["country"] for r in rows}
    no_data = next(iso3 for iso3, n in counts.items() if not n and iso3 not in listed)
    html = client.get("/countries/").content.decode()
    row = _row(html, scored["country"])
    assert f'<td class="num aimai">{scored["aimai"]:.1f}</td>' in row
    assert f"<td>{scored['classification_label']}</td>" in row
    row = _row(html, gap["country"])
    assert '<span class="unscored">not scored</span>' in row
    missing = [d for d in ("capability", "solidarity", "burden") if gap[d] is None]
    assert " or ".join(missing) in row
    assert "Insufficient data" in row  # its class, as the index names it
    row = _row(html, no_data)
    assert "not scored</span>" in row
    assert "no data in this release" in row


def test_the_list_costs_the_same_queries_for_more_countries(client):
    client.get("/countries/")  # the index's rows are cached under the score set's digest
    before = query_count(client, "/countries/")
    for n in range(12):
        code = f"Q{chr(ord('B') + n)}"
        Country.objects.create(iso2=code, iso3=f"{code}Q", name=f"Testland {n}", iso_assigned=False)
    html = client.get("/countries/").content.decode()
    assert "Testland 11" in html
    assert "no data in this release" in _row(html, "QMQ")
    assert query_count(client, "/countries/") == before


def test_the_list_leads_to_the_comparison_the_groups_and_the_maps(client):
    html = client.get("/countries/").content.decode()
    for address in ('href="/compare/"', 'href="/groups/"', 'href="/maps/"'):
        assert address in html
