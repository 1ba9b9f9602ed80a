"""About, licence and how to cite: the permanent page and citation files of every score set
and data release, which keep their numbers when a later score set is published; "Last updated"
and a closing "Cite and verify" section on every index page."""

import json
import re

import pytest
import yaml
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from countries.citation import PLATFORM_LICENCE
from countries.current import current_pointer
from countries.models import Country, DataRelease, Indicator, Methodology, Score, ScoreSet
from countries.scoring import (
    methodology_version_publish,
    methodology_version_save,
    score_set_compute,
)
from tests.queries import page_reads

pytestmark = pytest.mark.django_db

INDEX_PAGES = ["/", "/countries/", "/countries/KEN/", "/methodology/", "/releases/"]
ROW = re.compile(
    r'<tr data-country="([A-Z]{3})">\s*<td class="num">([^<]*)</td>\s*<th scope="row">[^<]*'
    r'</th>\s*<td class="num">([^<]*)</td>\s*<td class="num">([^<]*)</td>'
)


def current() -> ScoreSet:
    return ScoreSet.objects.for_methodology(Methodology.objects.headline().slug).current()


def page_numbers(html: str) -> dict[str, tuple[str, str, str]]:
    """Each country's rank, AIMAI and capability as a score set's page shows them."""
    return {iso3: (rank, aimai, capability) for iso3, rank, aimai, capability in ROW.findall(html)}


def shown(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def later_score_set() -> ScoreSet:
    """A new version of the headline that weighs sharing more, published and scored: the new
    current score set, with other numbers."""
    old = current()
    data = yaml.safe_load(old.methodology_version.source)
    data["version"] = "9.9"
    data["changes"] = "Sharing weighs more."
    data["index"]["weights"]["solidarity"] = 2.0
    version = methodology_version_publish(
        version=methodology_version_save(source=yaml.safe_dump(data, allow_unicode=True))
    )
    score_set, created = score_set_compute(version=version, release=old.release)
    assert created
    assert current() == score_set != old
    return score_set


# --- about and licence ------------------------------------------------------------------------


def test_about_says_what_the_index_is_and_is_not_and_how_it_is_made(client):
    html = client.get("/about/").content.decode()
    assert "a compass for cooperation, not a league table" in html
    assert "What it is not" in html
    assert "AI4NATIONS" in html
    for link in ('href="/methodology/"', 'href="/releases/"', 'href="/registry/"'):
        assert link in html
    scored = current().scores.exclude(aimai=None).count()
    # the coverage statement of the current edition
    assert f"The index scores <strong>{scored} of {current().scores.count()}" in html
    assert current().release.name in html


def test_the_licence_page_states_cc_by_and_every_sources_licence_as_recorded(client):
    html = client.get("/licence/").content.decode()
    assert PLATFORM_LICENCE.url in html
    assert "CC BY 4.0" in html
    table = html[html.index('id="source-licences"') :]
    indicators = Indicator.objects.all()
    assert indicators.count() > 20
    for indicator in indicators:
        assert f"<code>{indicator.code}</code>" in table
        row = table[table.index(f"<code>{indicator.code}</code>") :]
        row = row[: row.index("</tr>")]
        assert f"<td>{escape(indicator.licence)}</td>" in row


def test_the_footer_links_to_about_licence_and_cite(client):
    html = client.get("/compacts/").content.decode()
    for link in ('href="/about/"', 'href="/licence/"', 'href="/cite/"'):
        assert link in html


# --- a score set's permanent page and citation --------------------------------------------------


def test_a_score_sets_page_shows_its_own_numbers(client):
    score_set = current()
    html = client.get(f"/score-sets/{score_set.digest}/").content.decode()
    numbers = page_numbers(html)
    scores = Score.objects.filter(score_set=score_set).select_related("country")
    assert len(numbers) == scores.count() > 150
    for score in scores:
        rank, aimai, capability = numbers[score.country.iso3]
        assert rank == (str(score.rank) if score.rank else "—")
        assert aimai == shown(score.aimai)
        assert capability == shown(score.capability)
    assert "This is the current score set" in html


@pytest.mark.parametrize("fmt", ["txt", "bib", "json"])
def test_a_score_sets_citation_names_it_by_its_permanent_address(client, fmt, settings):
    score_set = current()
    response = client.get(f"/score-sets/{score_set.digest}/cite.{fmt}")
    assert response.status_code == 200
    text = response.content.decode()
    url = f"{settings.SITE_URL}/score-sets/{score_set.digest}/"
    assert url in text
    assert score_set.digest in text
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    if fmt == "json":
        assert response["Content-Type"] == "application/vnd.citationstyles.csl+json"
        (item,) = json.loads(text)
        assert item["type"] == "dataset"
        assert item["URL"] == url
        assert item["author"] == [{"literal": "AI4NATIONS"}]
        assert item["issued"]["date-parts"][0][0] == score_set.created_at.year
        assert "CC BY 4.0" in item["license"]
    elif fmt == "bib":
        assert text.startswith(f"@misc{{ai4nations-aimai-{score_set.digest[:12]},")
        assert text.count("{") == text.count("}")
        assert f"url = {{{url}}}" in text
        assert score_set.methodology_version.methodology.title in text
    else:
        assert text.startswith(f"AI4NATIONS ({score_set.created_at.year}).")
        assert "Licence: CC BY 4.0" in text


def test_a_citation_resolves_to_the_same_numbers_after_a_later_score_set(client):
    old = current()
    page = f"/score-sets/{old.digest}/"
    before = client.get(page).content.decode()
    files = {fmt: client.get(f"{page}cite.{fmt}").content for fmt in ("txt", "bib", "json")}
    cited_url = json.loads(files["json"])[0]["URL"]
    assert cited_url.endswith(page)

    new = later_score_set()
    cache.clear()  # nothing rendered before: every answer is computed again from the database
    assert old.digest not in current_pointer().digests.values()
    after = Client().get(page).content.decode()
    assert page_numbers(after) == page_numbers(before)
    assert "A newer score set has been published" in after
    for fmt, body in files.items():
        assert Client().get(f"{page}cite.{fmt}").content == body
    # and the later set's own page shows its own, different numbers
    newer = page_numbers(Client().get(f"/score-sets/{new.digest}/").content.decode())
    assert newer.keys() == page_numbers(before).keys()
    assert newer != page_numbers(before)
    # the index now cites the later set
    home = Client().get("/").content.decode()
    cited = home[home.index('id="cite-and-verify"') :]
    assert f"/score-sets/{new.digest}/" in cited
    assert f"/score-sets/{old.digest}/" not in cited


@pytest.mark.parametrize("suffix", ["", "cite.txt", "cite.bib", "cite.json"])
def test_a_malformed_digest_is_refused_and_an_unknown_one_is_not_found(client, suffix):
    malformed = client.get(f"/score-sets/{'A' * 64}/{suffix}")
    assert malformed.status_code == 400
    assert "64 lowercase hex digits" in malformed.content.decode()
    assert client.get(f"/score-sets/not-a-digest/{suffix}").status_code == 400
    unknown = client.get(f"/score-sets/{'0' * 64}/{suffix}")
    assert unknown.status_code == 404
    assert "No score set with digest" in unknown.content.decode()


def test_a_cached_citation_answers_without_a_query(client, django_assert_num_queries):
    path = f"/score-sets/{current().digest}/cite.bib"
    first = client.get(path)
    with django_assert_num_queries(0):
        again = client.get(path)
        unchanged = client.get(path, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.content == first.content
    assert unchanged.status_code == 304


# --- a data release's permanent page and citation ----------------------------------------------


def test_a_release_has_a_permanent_page_and_citation(client, settings):
    release = DataRelease.objects.published().get(slug="demo-2026-11")
    html = client.get("/releases/demo-2026-11/").content.decode()
    assert release.name in html
    assert release.content_digest in html
    for score_set in ScoreSet.objects.filter(release=release):
        assert f'href="/score-sets/{score_set.digest}/"' in html
    bib = client.get("/releases/demo-2026-11/cite.bib").content.decode()
    assert bib.startswith("@misc{ai4nations-release-demo-2026-11,")
    assert f"{settings.SITE_URL}/releases/demo-2026-11/" in bib
    assert release.content_digest in bib
    (item,) = client.get("/releases/demo-2026-11/cite.json").json()
    assert item["URL"] == f"{settings.SITE_URL}/releases/demo-2026-11/"
    assert 'href="/releases/demo-2026-11/"' in client.get("/releases/").content.decode()


def test_an_unknown_or_draft_release_is_not_found(client):
    DataRelease.objects.create(slug="draft-1", name="A draft", release_date="2026-12-01")
    for path in ("/releases/nope/", "/releases/nope/cite.txt", "/releases/draft-1/cite.bib"):
        assert client.get(path).status_code == 404
    assert client.get("/releases/draft-1/").status_code == 404


# --- every index page: "Last updated" first, "Cite and verify" last ----------------------------


@pytest.mark.parametrize("path", INDEX_PAGES)
def test_index_pages_say_when_they_were_updated_and_end_with_cite_and_verify(client, path):
    html = client.get(path).content.decode()
    published = current().created_at
    assert f'Last updated <time datetime="{published:%Y-%m-%d}">' in html
    assert f"{published.day} {published:%B %Y}</time>" in html
    section = html.index('id="cite-and-verify"')
    main_end = html.index("</main>")
    # the section closes the page's content: no heading follows it
    assert "<h2" not in html[html.index("</section>", section) : main_end]
    verify = html[section:main_end]
    assert current().digest in verify
    assert f"/api/v1/score-sets/{current().digest}/bundle/" in verify
    assert "python -m countries.index.reproduce" in verify
    assert f"/score-sets/{current().digest}/cite.bib" in verify


def test_the_home_page_opens_with_words_not_a_digest(client):
    html = client.get("/").content.decode()
    digest = current().digest
    section = html.index('id="cite-and-verify"')
    assert section > html.index('id="scores-table"')  # after the table, at the end

    def seen(part: str) -> str:  # what a reader sees: no tags, attributes or scripts
        return re.sub(r"<script.*?</script>|<[^>]+>", " ", part, flags=re.S)

    assert digest not in seen(html[:section])
    assert digest in seen(html[section:])


# --- rendered once; queries that do not grow ----------------------------------------------------


NEW_PAGES = ["/about/", "/licence/", "/cite/", "/releases/demo-2026-11/"]


def reads(client, path: str) -> int:
    current_pointer()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(page_reads(queries))


@pytest.mark.parametrize("path", [*NEW_PAGES, "score-set"])
def test_a_new_page_is_rendered_once_then_served_without_a_query(
    client, path, django_assert_num_queries
):
    path = f"/score-sets/{current().digest}/" if path == "score-set" else path
    first = client.get(path)
    assert first.status_code == 200
    with django_assert_num_queries(0):
        again = client.get(path)
        unchanged = client.get(path, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.content == first.content
    assert unchanged.status_code == 304


def test_new_pages_queries_do_not_grow_with_countries_or_score_sets(client):
    before = {path: reads(client, path) for path in NEW_PAGES}
    first_set = reads(client, f"/score-sets/{current().digest}/")
    other = next(
        s for s in ScoreSet.objects.all() if s.scores.count() != current().scores.count()
    )  # another number of countries
    other_set = reads(client, f"/score-sets/{other.digest}/")

    new = later_score_set()
    Country.objects.bulk_create(
        Country(iso3=f"Q{b}{a}", iso2=f"{a}{b}", name=f"Test land {a}{b}")
        for a in "123"
        for b in "ABCDEFG"
    )
    after = {path: reads(client, path) for path in NEW_PAGES}
    assert after == before
    assert reads(client, f"/score-sets/{new.digest}/") == first_set == other_set
    assert max(before.values()) <= 8
    assert first_set <= 6
