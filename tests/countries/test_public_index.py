"""The index as the public pages present it: one headline, alternative views after it, classes
that say why, rationales, what is covered and what is missing for a score."""

import html as htmllib
import re
from pathlib import Path

import pytest
import yaml
from django.core.cache import cache

from countries.choices import Classification
from countries.index.methodology import DIMENSIONS
from countries.index.reading import methodology_parse
from countries.models import Indicator, Methodology, ScoreSet
from countries.public_index import coverage_get, difference_text, first_sentence
from countries.scoring import (
    index_recompute,
    methodology_version_publish,
    methodology_version_save,
)

pytestmark = pytest.mark.django_db

SHIPPED = Path(__file__).resolve().parents[2] / "countries" / "methodologies"


def current(slug: str) -> ScoreSet:
    return ScoreSet.objects.for_methodology(slug).current()


def headline_set() -> ScoreSet:
    return current(Methodology.objects.headline().slug)


def text_of(html: str) -> str:
    """The page's text, tags removed and whitespace collapsed."""
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", "", html)).split())


def section(html: str, start: str, end: str) -> str:
    begin = html.index(start)
    return html[begin : html.index(end, begin)]


def publish_headline_version(**changes) -> Methodology:
    """A new version of the headline file, published (scores are not recomputed here)."""
    data = yaml.safe_load((SHIPPED / "aimai-default-1.1.yaml").read_text(encoding="utf-8"))
    data["version"] = "1.2"
    data["changes"] = "Test version."
    for key, value in changes.items():
        if key == "index":
            data["index"].update(value)
        else:
            data[key] = value
    version = methodology_version_save(source=yaml.safe_dump(data, allow_unicode=True))
    return methodology_version_publish(version=version)


# One headline ----------------------------------------------------------------------------------


def test_the_country_page_shows_the_headline_as_the_index_and_alternatives_after_it(client):
    usa_headline = headline_set().scores.get(country__iso3="USA")
    usa_bridgers = current("aimai-bridgers").scores.get(country__iso3="USA")
    html = client.get("/countries/USA/").content.decode()
    scores_table = section(html, 'id="scores"', "</table>")
    # the index table holds the headline score alone: one row, not the alternative's score
    assert scores_table.count("<tr>") == 2  # header and one row
    assert f"{usa_headline.aimai:.1f}" in scores_table
    assert f"{usa_bridgers.aimai:.1f}" not in scores_table
    # the alternative comes after, in its own section, labelled and with how it differs
    assert html.index('id="alternatives"') > html.index('id="scores"')
    alternatives = section(html, 'id="alternatives"', '<h2 id="compacts">')
    assert "Alternative view" in alternatives
    assert f"{usa_bridgers.aimai:.1f}" in alternatives
    bridgers = methodology_parse(usa_bridgers.score_set.methodology_version.definition)
    assert htmllib.escape(difference_text(bridgers), quote=False) in alternatives


def test_an_alternative_is_described_by_its_difference_else_its_first_sentence():
    default = methodology_parse(
        yaml.safe_load((SHIPPED / "aimai-bridgers-2.0.yaml").read_text(encoding="utf-8"))
    )
    assert difference_text(default).startswith("An alternative view: it counts capability")
    # version 1.0 of the alternative says nothing of how it differs: its first sentence does
    bridgers = methodology_parse(
        yaml.safe_load((SHIPPED / "aimai-bridgers.yaml").read_text(encoding="utf-8"))
    )
    assert "difference" not in bridgers.raw
    assert difference_text(bridgers) == first_sentence(bridgers.description)
    assert difference_text(bridgers).endswith(".")
    assert first_sentence("One. Two.") == "One."


def test_the_overview_says_when_it_shows_an_alternative_view(client):
    home = client.get("/").content.decode()
    assert 'id="alternative-note"' not in home
    assert "(the index)" in home
    other = client.get("/", {"methodology": "aimai-bridgers"}).content.decode()
    assert 'id="alternative-note"' in other
    assert "This is not the index" in other


def test_the_methodology_page_labels_alternatives_with_their_difference(client):
    html = client.get("/methodology/").content.decode()
    bridgers = section(html, 'id="aimai-bridgers"', "</section>")
    assert "Alternative view" in bridgers
    assert "How it differs from the index" in bridgers
    headline = section(html, 'id="aimai-default"', "</section>")
    assert "Alternative view" not in headline


# Classification that says why ------------------------------------------------------------------


def test_a_low_aimai_is_explained_by_its_two_terms_on_the_country_page(client):
    score_set = headline_set()
    weights = methodology_parse(score_set.methodology_version.definition).index_weights
    low = score_set.scores.filter(classification=Classification.CONCENTRATION).select_related(
        "country"
    )
    score = low.first()
    html = client.get(f"/countries/{score.country.iso3}/").content.decode()
    sharing = weights["capability"] * score.capability + weights["solidarity"] * score.solidarity
    burdens = weights["burden"] * score.burden
    assert sharing + burdens == pytest.approx(score.aimai, abs=1e-6)
    why = text_of(section(html, 'id="why-low"', "</p>"))
    assert "Why Divider — concentration?" in why
    assert f"{sharing:.1f}".replace("-", "−") + " from capability not matched by sharing" in why
    assert f"{abs(burdens):.1f} from burdens" in why
    # a country that is not low has no such sentence
    neutral = score_set.scores.filter(classification=Classification.NEUTRAL).first()
    assert 'id="why-low"' not in client.get(neutral.country.get_absolute_url()).content.decode()


def test_a_low_aimai_named_by_its_cause_shows_the_new_labels_and_why(client):
    publish_headline_version(index={"low_by_cause": True})
    index_recompute()
    cache.clear()
    score_set = headline_set()
    assert score_set.methodology_version.version == "1.2"
    found = {
        kind: score_set.scores.filter(classification=kind).select_related("country").first()
        for kind in (Classification.CONCENTRATION, Classification.BURDENED)
    }
    assert all(found.values())
    overview = section(client.get("/").content.decode(), 'id="scores"', "</table>")
    for kind, score in found.items():
        label = str(kind.label)  # a lazy translation: `in` wants the text itself
        assert label in overview
        page = client.get(score.country.get_absolute_url()).content.decode()
        assert label in section(page, 'id="scores"', "</table>")
        why = text_of(section(page, 'id="why-low"', "</p>"))
        assert f"Why {label}?" in why
        if kind == Classification.CONCENTRATION:
            assert "a divider by concentration" in why
        else:
            assert "burdens" in why.split(":", 1)[1]
    cache.clear()


def test_the_methodology_page_renders_the_classification_rule_from_the_file(client):
    html = text_of(client.get("/methodology/").content.decode())
    assert "Bridger: AIMAI ≥ 10." in html
    assert "Divider — concentration: AIMAI ≤ −10, and capability not matched by sharing" in html
    assert "Bridger: AIMAI ≥ 40." in html  # the bridgers alternative's own thresholds
    assert "Divider: AIMAI ≤ 0." in html  # it names no cause
    publish_headline_version(index={"low_by_cause": True, "divider_max": -12})
    html = text_of(client.get("/methodology/").content.decode())
    headline = html[html.index("AIMAI — mutual aid (default)") :]
    assert "Divider — concentration: AIMAI ≤ −12, and capability not matched by sharing" in (
        headline
    )
    assert "at least the median" in headline
    assert "Burdened co-creator: AIMAI ≤ −12, and burdens pull it down harder" in headline
    assert "−1.5 × Capability + 1.125 × Solidarity" in headline


# Rationales ------------------------------------------------------------------------------------


def test_every_rationale_of_the_headline_current_version_is_on_the_methodology_page(client):
    data = yaml.safe_load((SHIPPED / "aimai-default-1.1.yaml").read_text(encoding="utf-8"))
    for name, group in data["dimensions"].items():
        for item in group["indicators"]:
            item["rationale"] = f"Reason for {item['code']} in {name}: it matters."
    publish_headline_version(dimensions=data["dimensions"])
    html = client.get("/methodology/").content.decode()
    version = Methodology.objects.headline().versions.published().current()
    parsed = methodology_parse(version.definition)
    assert version.version == "1.2"
    written = [
        (item["code"], item["rationale"])
        for group in parsed.raw["dimensions"].values()
        for item in group["indicators"]
        if item.get("rationale")
    ]
    assert len(written) == len(parsed.indicators())
    headline = section(html, 'id="aimai-default"', "<h3>Changelog</h3>")
    for code, rationale in written:
        row = section(headline, f"<code>{code}</code>", "</tr>")
        assert f'Why it is here:</strong> <span lang="en" dir="auto">{rationale}</span>' in row


# Coverage --------------------------------------------------------------------------------------


def test_the_coverage_is_computed_from_the_headline_score_set():
    score_set = headline_set()
    coverage = coverage_get(score_set)
    scores = score_set.scores.all()
    assert coverage.countries == scores.count()
    assert coverage.scored == scores.exclude(aimai=None).count()
    for name in DIMENSIONS:
        assert coverage.per_dimension[name] == scores.exclude(**{name: None}).count()
        lacking = scores.filter(aimai=None, **{name: None}).count()
        assert len(coverage.lacking[name]) == lacking
    years = [
        entry["year"]
        for score in scores
        for entry in score.provenance.values()
        if entry and entry.get("year")
    ]
    assert coverage.years == (min(years), max(years))
    assert coverage.release_name == score_set.release.name


@pytest.mark.parametrize("path", ["/", "/methodology/"])
def test_the_coverage_statement_is_on_the_overview_and_the_methodology_page(client, path):
    coverage = coverage_get(headline_set())
    html = text_of(client.get(path).content.decode())
    assert coverage.unscored > 0
    assert f"The index scores {coverage.scored} of {coverage.countries} countries" in html
    assert f"{coverage.per_dimension['capability']} have a capability score" in html
    for name, count in coverage.lacking_counts:
        assert f"{count} lack{'s' if count == 1 else ''} a {name} score" in html
    assert coverage.release_name in html
    low, high = coverage.years
    assert (f"values from {low}–{high}" if low != high else f"values from {low}") in html


# What is missing for a score -------------------------------------------------------------------


def test_an_unscored_country_page_says_what_is_missing(client):
    score_set = headline_set()
    parsed = methodology_parse(score_set.methodology_version.definition)
    score = (
        score_set.scores.filter(aimai=None, capability=None)
        .exclude(solidarity=None)
        .select_related("country")
        .first()
    )
    html = client.get(f"/countries/{score.country.iso3}/").content.decode()
    missing = text_of(section(html, 'id="missing"', "</div>"))
    names = dict(Indicator.objects.values_list("code", "name"))
    absent = [
        names.get(spec.code, spec.code)
        for spec in parsed.dimensions["capability"].leaves()
        if not score.provenance.get(spec.code)
    ]
    assert absent
    coverage = round(parsed.dimensions["capability"].min_coverage * 100)
    assert (
        f"No capability score: no value for {', '.join(absent)} "
        f"(at least {coverage} % of the dimension's weight must be measured)."
    ) in missing
    assert "No solidarity score" not in missing


# The home table --------------------------------------------------------------------------------


def rows_of(html: str) -> list[str]:
    table = section(html, 'id="scores"', "</table>")
    return re.findall(r'<th scope="row"><a href="/countries/([A-Z]{3})/"', table)


def test_the_home_table_lists_scored_countries_by_rank_and_the_rest_on_request(client):
    score_set = headline_set()
    ranked = list(
        score_set.scores.exclude(aimai=None)
        .order_by("rank", "country__name")
        .values_list("country__iso3", flat=True)
    )
    total = score_set.scores.count()
    html = client.get("/").content.decode()
    assert rows_of(html) == ranked
    assert f"Show all {total} countries" in html
    everything = client.get("/", {"all": "1"}).content.decode()
    assert len(rows_of(everything)) == total
    assert rows_of(everything)[: len(ranked)] == ranked
    assert "Show all" not in everything
    # filters keep working, and keep the choice to show all
    africa = client.get("/", {"region": "Africa"}).content.decode()
    assert "region=Africa&amp;all=1" in africa
    unscored = client.get("/", {"classification": "insufficient_data"}).content.decode()
    assert len(rows_of(unscored)) == total - len(ranked)


def test_the_country_list_shows_the_headline_aimai_and_class_only(client):
    usa = headline_set().scores.get(country__iso3="USA")
    bridgers = current("aimai-bridgers").scores.get(country__iso3="USA")
    html = client.get("/countries/").content.decode()
    row = section(html, "<code>USA</code></td>", "</tr>")
    assert f"{usa.aimai:.1f}" in row
    assert usa.get_classification_display() in row
    assert f"{bridgers.aimai:.1f}" not in row
    assert "AIMAI (the index)" in html


def test_the_comparison_ranks_by_the_first_methodology_then_names_the_unranked():
    from countries.methodology_page import ComparisonRow, comparison_order
    from countries.models import Country, Score

    def row(name: str, *ranks):
        scores = [None if r == "absent" else Score(rank=r) for r in ranks]
        return ComparisonRow(Country(name=name), scores)

    rows = [
        row("Chile", None, 4),  # scored by the first, but without a rank (too little data)
        row("Benin", "absent", 2),  # not in the first methodology's score set
        row("Kenya", 2, 1),
        row("Austria", 1, 3),
    ]
    ordered = sorted(rows, key=comparison_order)
    assert [r.country.name for r in ordered] == ["Austria", "Kenya", "Benin", "Chile"]
