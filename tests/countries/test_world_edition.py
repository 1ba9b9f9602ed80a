"""The world edition: methodology 2.0 scores the world release as the headline, on measured
data, with a rationale for every indicator, and says who moved from version 1.1 and why."""

import re

import pytest
import yaml

from countries.index.computed import COMPUTED_INDICATORS, aimai_bound
from countries.index.reading import methodology_load
from countries.methodology_page import methodology_pages, version_comparison
from countries.models import DataRelease, Methodology, ScoreSet
from countries.scoring import SHIPPED_DIR

pytestmark = pytest.mark.django_db

HEADLINE_FILE = SHIPPED_DIR / "aimai-default-2.0.yaml"


def headline() -> ScoreSet:
    return ScoreSet.objects.for_methodology("aimai-default").current()


def test_the_headline_is_version_2_on_the_world_release():
    score_set = headline()
    assert Methodology.objects.headline().slug == "aimai-default"
    assert score_set.methodology_version.version == "2.0"
    assert score_set.release == DataRelease.objects.current()
    assert score_set.release.slug == "world-2026"
    assert "demo" not in score_set.release.name.lower()
    # the November release and its score sets stay as history
    assert ScoreSet.objects.filter(
        release__slug="demo-2026-11", methodology_version__version="1.1"
    ).exists()


def test_at_least_170_countries_are_scored_on_three_measured_dimensions():
    scores = list(headline().scores.exclude(aimai=None))
    assert len(scores) >= 170
    for score in scores:
        assert None not in (score.capability, score.solidarity, score.burden)
        assert score.imputed == []  # measured, never filled in
    # every region of the world is there, Africa included
    regions = {s.country.region for s in headline().scores.exclude(aimai=None).with_country()}
    assert regions == {"Africa", "Americas", "Asia", "Europe", "Oceania"}
    africa = headline().scores.exclude(aimai=None).filter(country__region="Africa").count()
    assert africa >= 45


def test_every_indicator_of_version_2_carries_a_rationale():
    definition = yaml.safe_load(HEADLINE_FILE.read_text())
    for dimension in definition["dimensions"].values():
        for item in dimension["indicators"]:
            assert len(item.get("rationale", "").split()) >= 15, item["code"]


def test_each_rationale_is_rendered_on_the_methodology_page(client):
    html = client.get("/methodology/").content.decode()
    text = re.sub(r"\s+", " ", html)
    definition = yaml.safe_load(HEADLINE_FILE.read_text())
    for dimension in definition["dimensions"].values():
        for item in dimension["indicators"]:
            sentence = " ".join(item["rationale"].split()[:8])
            assert sentence.replace("'", "&#x27;") in text.replace("’", "'"), item["code"]


def test_complete_lists_count_0_and_a_gap_stays_a_gap():
    scores = {s.country.iso3: s for s in headline().scores.with_country()}
    kenya = scores["KEN"]
    # Kenya has no notable model and no TOP500 system: 0 on those complete lists
    assert kenya.values["notable_models"] == 0
    assert kenya.values["top500_rmax_tflops"] == 0
    # and no ODA/GNI (only donors report it): missing, not 0
    assert "oda_gni" not in kenya.values
    assert "oda_gni" not in kenya.normalised


def test_the_compacts_bound_is_declared_in_points():
    parsed = methodology_load(HEADLINE_FILE.read_text())
    spec = next(s for s in parsed.indicators() if s.code == "compact_commitments")
    assert spec.rule["per_compact_max"] == 1
    assert spec.rule["total_max"] == 4
    assert spec.rule["counted_after"] == {"confirmed_report": True, "active_days": 180}
    assert spec.rule["distinct_organisations"] is True
    bound = aimai_bound(parsed, "compact_commitments")
    # 4 points of 10 = 40 on the indicator's scale, 0.5 of solidarity's 4.5 weight, x 1.5
    assert bound.full == pytest.approx(40 * 0.5 / 4.5 * 1.5)
    assert bound.full < bound.at_min_coverage
    text = COMPUTED_INDICATORS["compact_commitments"].rule_text(spec.rule, parsed)
    assert f"at most {bound.full:.3g} AIMAI points" in text


def test_the_methodology_page_says_who_moved_from_version_1_1_and_why(client):
    page = next(p for p in methodology_pages() if p.methodology.is_headline)
    comparison = version_comparison(page)
    assert comparison.previous.methodology_version.version == "1.1"
    assert comparison.current == headline()
    # ranks among the countries both versions rank: newly scored ones move nobody
    assert {m.rank_after for m in comparison.moves} <= set(range(1, comparison.common + 1))
    assert comparison.newly_scored > 100
    biggest = comparison.moves[0]
    assert abs(biggest.rank_shift) >= abs(comparison.moves[-1].rank_shift)
    assert biggest.cause in ("capability", "solidarity", "burden")
    html = client.get("/methodology/").content.decode()
    assert "What version 2.0 changed: who moves, how far, why" in html
    assert f">{biggest.country.name}</a>" in html
