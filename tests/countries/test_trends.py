"""Change over time on the country pages: the headline's scores on every release, one method,
a release chosen by the reader, and a query count that does not grow with the releases."""

import re

import pytest
from django.core.cache import cache

from countries.models import Methodology, ScoreSet
from countries.scoring import score_set_compute
from countries.trends import country_trends, trend_chart
from tests.countries.test_backcast import correction_of_world
from tests.countries.test_pages import query_count

pytestmark = pytest.mark.django_db


def trend_rows(html: str) -> list[str]:
    table = html[html.index('id="trend-table"') :]
    body = table[table.index("<tbody>") : table.index("</tbody>")]
    return re.findall(r"<tr.*?</tr>", body, flags=re.S)


def headline_sets() -> dict[str, ScoreSet]:
    version = Methodology.objects.headline().versions.current()
    return {s.release.slug: s for s in ScoreSet.objects.filter(methodology_version=version)}


def test_a_country_page_shows_the_trend_on_both_shipped_releases(client):
    sets = headline_sets()
    html = client.get("/countries/KEN/").content.decode()
    rows = trend_rows(html)
    assert len(rows) == 2
    # oldest first: the demo release as a back-cast, then the current world release
    assert "AIMAI demo data, November 2026" in rows[0]
    assert "back-cast" in rows[0]
    assert sets["demo-2026-11"].digest[:12] in rows[0]
    assert "AIMAI world data 2026" in rows[1]
    assert "current" in rows[1]
    assert 'aria-current="true"' in rows[1]
    # the chart is drawn on the server, as SVG
    assert '<svg viewBox="0 0 480 240" role="img"' in html
    # the page shows the current set unless asked otherwise
    assert sets["world-2026"].digest in html
    assert 'id="chosen-release"' not in html


def test_choosing_an_earlier_release_shows_its_back_cast_labelled(client):
    backcast = headline_sets()["demo-2026-11"]
    html = client.get("/countries/KEN/", {"release": "demo-2026-11"}).content.decode()
    notice = html[html.index('id="chosen-release"') :][:600]
    assert "AIMAI demo data, November 2026" in notice
    assert "back-cast" in notice
    scores = html[html.index('id="scores"') - 2000 : html.index('id="scores"')]
    assert backcast.digest in scores
    # Kenya's burden is measured on the demo release; the rest lacks data there
    kenya = backcast.scores.get(country__iso3="KEN")
    assert kenya.aimai is None
    assert f"{kenya.burden:.1f}" in html[html.index('id="scores"') :][:3000]
    # choosing the current release is the page without a choice
    current = client.get("/countries/KEN/", {"release": "world-2026"}).content.decode()
    assert 'id="chosen-release"' not in current


@pytest.mark.parametrize(
    ("release", "status"),
    [("no-such-release", 404), ("<script>", 400), ("a" * 81, 400), ("draft%00", 400)],
)
def test_a_release_that_cannot_be_shown_is_a_clear_4xx(client, release, status):
    response = client.get("/countries/KEN/", {"release": release})
    assert response.status_code == status
    if status != 400 or "\x00" not in release:
        assert "release" in response.content.decode().lower()


def test_the_trend_reads_one_method_across_three_releases_and_moves_with_the_data():
    correction = correction_of_world()
    version = Methodology.objects.headline().versions.current()
    current, created = score_set_compute(version=version, release=correction)
    assert created
    assert not current.backcast
    trends = country_trends(["KEN", "uga", "ZZZ"])
    assert set(trends) == {"KEN", "UGA"}  # an unknown code is left out
    kenya = trends["KEN"]
    assert [p.release for p in kenya] == ["demo-2026-11", "world-2026", "world-2026-fix"]
    assert [p.backcast for p in kenya] == [True, False, False]
    assert [p.current for p in kenya] == [False, False, True]
    # Kenya's internet use changed in the correction, so its burden moved; Uganda's did not
    assert kenya[1].burden != kenya[2].burden
    assert kenya[1].aimai is not None
    assert kenya[2].aimai is not None
    uganda = trends["UGA"]
    assert uganda[1].burden == uganda[2].burden
    chart = trend_chart(kenya)
    aimai = next(line for line in chart.lines if line.key == "aimai")
    assert len(aimai.points) == 2  # no AIMAI on the demo release: no point drawn there


def test_country_page_queries_do_not_grow_with_the_number_of_releases(client):
    # Uganda: the correction below leaves its values alone (a correction that touches a country
    # is listed on its page, which is another matter)
    two = query_count(client, "/countries/UGA/")
    chosen_two = query_count(client, "/countries/UGA/", {"release": "demo-2026-11"})
    correction = correction_of_world()
    version = Methodology.objects.headline().versions.current()
    score_set_compute(version=version, release=correction)
    assert len(country_trends(["UGA"])["UGA"]) == 3
    three = query_count(client, "/countries/UGA/")
    chosen_three = query_count(client, "/countries/UGA/", {"release": "world-2026"})
    # the trend is one query, whatever the number of releases
    assert two == three <= 13
    assert chosen_two == chosen_three <= 12


def over_time_rows(html: str) -> list[str]:
    table = html[html.index('id="compare-over-time"') :]
    body = table[table.index("<tbody>") : table.index("</tbody>")]
    return re.findall(r"<tr.*?</tr>", body, flags=re.S)


def test_the_comparison_shows_each_countrys_aimai_on_every_release(client):
    cache.clear()
    two_releases = query_count(client, "/compare/", {"countries": "KEN,UGA"})
    correction = correction_of_world()
    version = Methodology.objects.headline().versions.current()
    score_set_compute(version=version, release=correction)
    html = client.get("/compare/", {"countries": "KEN,UGA"}).content.decode()
    head = html[
        html.index('id="compare-over-time"') : html.index(
            "</thead>", html.index('id="compare-over-time"')
        )
    ]
    assert head.index("AIMAI demo data, November 2026") < head.index("AIMAI world data 2026")
    assert "back-cast" in head
    rows = over_time_rows(html)
    assert len(rows) == 2
    kenya = country_trends(["KEN"])["KEN"]
    cells = re.findall(r'<td class="num">(.*?)</td>', rows[0])
    assert len(cells) == 3
    assert cells[0] == "—"  # no AIMAI on the demo release
    assert cells[2] == f"{kenya[2].aimai:.1f}"
    # a third release adds a column, not a query (each count from an empty cache)
    cache.clear()
    assert query_count(client, "/compare/", {"countries": "KEN,UGA"}) == two_releases <= 6
