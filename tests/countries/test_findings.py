"""The key findings: computed from a score set's rows by hand-checkable rules (no database for
the rules), the same on the home page and in the API, for the first score set too, with a
number of queries that does not grow with the number of countries."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from countries.findings import findings_compute
from countries.models import Score, ScoreSet
from countries.selectors import (
    findings_get,
    score_set_previous,
    score_set_rows,
    score_set_rows_key,
)
from tests.countries.test_pages import query_count
from tests.queries import page_reads


def row(code, capability, aimai, *, top=False, region="", income="", cls="neutral", rank=None):
    labels = {
        "neutral": "Neutral",
        "bridger": "Bridger",
        "concentration": "Divider — concentration",
        "insufficient_data": "Insufficient data",
    }
    return {
        "country": code,
        "name": f"Country {code}",
        "url": f"/countries/{code}/",
        "region": region,
        "income_group": income,
        "capability": capability,
        "aimai": aimai,
        "rank": rank,
        "classification": cls,
        "classification_label": labels[cls],
        "concentration": "Top by capability" if top else "Others",
    }


CURRENT = [
    row(
        "AAA",
        80.0,
        -20.0,
        top=True,
        region="Europe",
        income="High income",
        cls="concentration",
        rank=5,
    ),  # fmt: skip
    row("BBB", 60.0, 5.0, top=True, region="Europe", income="High income", rank=2),
    row("CCC", 30.0, 12.0, region="Africa", income="Low income", cls="bridger", rank=1),
    row("DDD", 20.0, -2.0, region="Africa", income="Low income", rank=3),
    row("EEE", 10.0, -4.0, region="Asia", rank=4),
    # flagged top by capability but without an AIMAI: not in the chart, so not counted
    row("FFF", 95.0, None, top=True, region="Africa", cls="insufficient_data"),
]
PREVIOUS = [
    row("AAA", 70.0, -10.0, top=True, region="Europe", rank=4),
    row("BBB", 60.0, 5.0, top=True, region="Europe", rank=2),
    row("DDD", None, None, region="Africa", cls="insufficient_data"),
    row("EEE", 10.0, -1.0, region="Asia", rank=3),
    row("GGG", 40.0, 8.0, region="Asia", rank=1),
]
CODES = {"region": {"Europe": "Europe", "Africa": "Africa", "Asia": "Asia"}}


def test_concentration_is_the_top_capability_share_of_the_charted_countries():
    c = findings_compute(CURRENT).concentration
    assert (c.top_n, c.countries) == (2, 5)
    assert (c.top_capability, c.total_capability) == (140.0, 200.0)
    assert c.share == pytest.approx(0.7)
    assert c.even_share == pytest.approx(0.4)
    assert c.share_percent == pytest.approx(70.0)


def test_no_capability_gives_no_share_rather_than_a_division_by_zero():
    c = findings_compute([row("AAA", 0.0, 1.0, top=True)]).concentration
    assert c.share is None
    assert c.even_share == 1.0
    empty = findings_compute([])
    assert (empty.scored, empty.concentration.share, empty.leaders) == (0, None, [])


def test_leaders_are_the_highest_aimai_and_bridgers_are_counted():
    f = findings_compute(CURRENT)
    assert [leader.country for leader in f.leaders] == ["CCC", "BBB", "DDD", "EEE", "AAA"]
    assert (f.leaders[0].aimai, f.leaders[0].classification_label) == (12.0, "Bridger")
    assert (f.scored, f.bridgers) == (5, 1)


def test_ties_in_aimai_are_broken_by_name():
    rows = [row("ZZZ", 1.0, 3.0), row("AAA", 1.0, 3.0), row("MMM", 1.0, 9.0)]
    assert [leader.country for leader in findings_compute(rows).leaders] == ["MMM", "AAA", "ZZZ"]


def test_the_most_capable_with_a_negative_aimai():
    m = findings_compute(CURRENT).most_capable
    assert (m.countries, m.negative_count) == (2, 1)
    assert [c.country for c in m.negative] == ["AAA"]


def test_group_averages_with_quartiles_range_and_count_highest_mean_first():
    f = findings_compute(CURRENT, group_codes=CODES)
    regions = {g.label: g for g in f.regions}
    assert [g.label for g in f.regions] == ["Africa", "Asia", "Europe"]
    europe = regions["Europe"]
    assert (europe.count, europe.mean, europe.median) == (2, -7.5, -7.5)
    assert (europe.minimum, europe.maximum) == (-20.0, 5.0)
    # inclusive quartiles of two values: a quarter and three quarters of the way between them
    assert (europe.q1, europe.q3) == (-13.75, -1.25)
    assert europe.code == "Europe"
    africa = regions["Africa"]  # FFF has no AIMAI: not in the average
    assert (africa.count, africa.mean, africa.q1, africa.q3) == (2, 5.0, 1.5, 8.5)
    asia = regions["Asia"]  # one country: its value is every statistic
    assert (asia.count, asia.mean, asia.q1, asia.q3, asia.minimum) == (1, -4.0, -4.0, -4.0, -4.0)
    incomes = {g.label: g for g in f.income_groups}
    # EEE has no income group recorded: a group of its own, with no filter value
    assert (incomes[""].count, incomes[""].code) == (1, "")
    assert incomes["Low income"].mean == 5.0
    assert incomes["High income"].mean == -7.5


def test_changes_against_the_previous_score_set():
    changes = findings_compute(CURRENT, PREVIOUS).changes
    assert changes is not None
    assert changes.previous_scored == 4
    # CCC was absent, DDD unscored; GGG is absent now
    assert [c.country for c in changes.added] == ["CCC", "DDD"]
    assert [c.country for c in changes.dropped] == ["GGG"]
    assert changes.compared == 3  # AAA, BBB, EEE
    # BBB did not move: left out; a larger change first
    assert [(m.country, m.before, m.after, m.change) for m in changes.score_movers] == [
        ("AAA", -10.0, -20.0, -10.0),
        ("EEE", -1.0, -4.0, -3.0),
    ]
    assert [(m.country, m.before, m.after, m.change) for m in changes.rank_movers] == [
        ("AAA", 4, 5, 1),
        ("EEE", 3, 4, 1),
    ]
    assert [(c.country, c.before, c.after) for c in changes.class_changes] == [
        ("AAA", "neutral", "concentration")
    ]
    assert [(t.before_label, t.after_label, t.count) for t in changes.transitions] == [
        ("Neutral", "Divider — concentration", 1)
    ]


def test_the_first_score_set_has_no_changes():
    assert findings_compute(CURRENT).changes is None
    assert findings_compute(CURRENT, []).changes.added  # an empty previous set is one


def test_findings_are_plain_data():
    data = findings_compute(CURRENT, PREVIOUS).to_dict()
    assert data["concentration"]["share"] == pytest.approx(0.7)
    assert data["changes"]["added"][0] == {
        "country": "CCC",
        "name": "Country CCC",
        "url": "/countries/CCC/",
    }


# ---- with the shipped score sets ---------------------------------------------------------


def current(slug: str = "aimai-default") -> ScoreSet:
    return ScoreSet.objects.for_methodology(slug).current()


def sets_of(slug: str = "aimai-default") -> list[ScoreSet]:
    return list(ScoreSet.objects.for_methodology(slug).latest_first().with_related())


@pytest.mark.django_db
def test_the_previous_score_set_is_the_one_current_before():
    newest, *older = sets_of()
    assert older, "the shipped data has more than one score set of the headline"
    assert score_set_previous(newest) == older[0]
    assert score_set_previous(older[-1]) is None


@pytest.mark.django_db
def test_the_share_agrees_with_the_stored_scores():
    score_set = current()
    scored = Score.objects.filter(score_set=score_set).exclude(aimai=None)
    top = sum(s.capability for s in scored.filter(concentrated=True))
    total = sum(s.capability for s in scored)
    found = findings_get(score_set=score_set).findings
    assert found.concentration.share == pytest.approx(top / total)
    assert found.concentration.top_n == scored.filter(concentrated=True).count() == 15
    negative = scored.filter(concentrated=True, aimai__lt=0).count()
    assert found.most_capable.negative_count == negative
    best = scored.order_by("-aimai").first()
    assert found.leaders[0].country == best.country.iso3


@pytest.mark.django_db
def test_the_findings_api_gives_the_numbers_and_names_both_score_sets(client):
    response = client.get("/api/v1/findings/")
    assert response.status_code == 200
    body = response.json()
    newest, previous = sets_of()[:2]
    assert body["score_set"]["digest"] == newest.digest
    assert body["score_set"]["current"] is True
    assert body["previous_score_set"]["digest"] == previous.digest
    assert body["previous_score_set"]["current"] is False
    expected = findings_get(score_set=newest).findings
    findings = body["findings"]
    assert findings["concentration"]["share"] == pytest.approx(expected.concentration.share)
    assert [r["country"] for r in findings["leaders"]] == [r.country for r in expected.leaders]
    assert len(findings["changes"]["added"]) == len(expected.changes.added) > 0
    assert {g["label"] for g in findings["regions"]} >= {"Africa", "Europe"}
    # a conditional GET with its ETag is a 304
    again = client.get("/api/v1/findings/", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


@pytest.mark.django_db
def test_the_first_score_set_says_so_in_the_api_and_on_the_page(client, rf):
    first = sets_of()[-1]
    body = client.get("/api/v1/findings/", {"score_set": first.digest}).json()
    assert body["score_set"]["digest"] == first.digest
    assert body["previous_score_set"] is None
    assert body["findings"]["changes"] is None
    request = rf.get("/")
    html = render_to_string(
        "countries/_findings.html",
        {"key_findings": findings_get(score_set=first), "overview": {"methodology": None}},
        request=request,
    )
    assert "this is the first score set" in html
    assert "Largest moves" not in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"score_set": "nothex"}, 400),
        ({"score_set": "0" * 64}, 404),
        ({"methodology": "nope"}, 404),
        ({"colour": "blue"}, 400),
        ({"as_of": "2026-02-30"}, 400),
    ],
)
def test_bad_findings_parameters_are_refused_clearly(client, params, status):
    response = client.get("/api/v1/findings/", params)
    assert response.status_code == status
    assert response.json()["message"]


def shown(html: str, name: str) -> str:
    found = re.search(rf'data-finding="{re.escape(name)}">([^<]*)<', html)
    assert found, name
    return found.group(1)


@pytest.mark.django_db
def test_the_home_page_shows_the_api_numbers_and_links_to_the_charts(client):
    html = client.get("/").content.decode()
    findings = client.get("/api/v1/findings/").json()["findings"]
    assert 'id="key-findings"' in html
    share = float(shown(html, "concentration-share").replace("%", ""))
    assert share == pytest.approx(findings["concentration"]["share"] * 100, abs=0.05)
    assert int(shown(html, "top-negative")) == findings["most_capable"]["negative_count"]
    for leader in findings["leaders"]:
        assert float(shown(html, f"leader-{leader['country']}")) == pytest.approx(
            leader["aimai"], abs=0.05
        )
    assert int(shown(html, "added")) == len(findings["changes"]["added"])
    assert int(shown(html, "bridgers")) == findings["bridgers"]
    section = html[
        html.index('id="key-findings"') : html.index("</section>", html.index('id="key-findings"'))
    ]
    for anchor in ("#concentration-title", "#scatter-title", "#scores-table"):
        assert f'{anchor}"' in section
        assert f'id="{anchor[1:]}"' in html  # the anchor exists on the page
    assert 'href="?region=Africa#scores-table"' in section
    assert 'href="/countries/' in section
    # the findings come before the charts
    assert html.index('id="key-findings"') < html.index('id="concentration-title"')


@pytest.mark.django_db
def test_an_alternative_view_has_its_own_findings(client):
    html = client.get("/", {"methodology": "aimai-bridgers"}).content.decode()
    bridgers = current("aimai-bridgers")
    assert f"score_set={bridgers.digest}" in html
    assert "Key findings of this alternative view" in html


@pytest.mark.django_db
def test_findings_cost_the_same_queries_for_few_or_many_countries():
    """The current set scores 184 countries against a previous set of 61; the demo's second
    set 61 against 61: the same queries, whatever the rows."""
    newest, demo = sets_of()[0], sets_of()[1]
    assert newest.scores.exclude(aimai=None).count() > 2 * demo.scores.exclude(aimai=None).count()

    def cold_queries(score_set) -> int:
        for s in sets_of():
            cache.delete(score_set_rows_key(s))
        with CaptureQueriesContext(connection) as queries:
            findings_get(score_set=score_set)
        return len(page_reads(queries))

    assert cold_queries(newest) == cold_queries(demo) == 3  # the sets, and two sets' rows
    score_set_rows(newest), score_set_rows(sets_of()[1])
    with CaptureQueriesContext(connection) as queries:
        findings_get(score_set=newest)
    assert len(page_reads(queries)) == 1  # rows cached under their digests: the sets alone


@pytest.mark.django_db
def test_the_home_page_queries_stay_bounded_with_the_findings(client):
    assert query_count(client, "/") <= 12
    assert query_count(client, "/", {"methodology": "aimai-bridgers"}) <= 12
