"""The index API and the methodology page, over real HTTP requests to the test client."""

import io
import zipfile

import pytest
import yaml

from countries.models import MethodologyVersion, ScoreSet
from tests.countries.test_pages import query_count

pytestmark = pytest.mark.django_db


def current(slug: str) -> ScoreSet:
    return ScoreSet.objects.for_methodology(slug).current()


def test_methodologies_list_each_published_version_with_its_definition(client):
    body = client.get("/api/v1/methodologies/").json()
    assert [(m["methodology"], m["version"]) for m in body["results"]] == [
        ("aimai-bridgers", "2.0"),
        ("aimai-bridgers", "1.0"),
        ("aimai-default", "2.0"),
        ("aimai-default", "1.1"),
        ("aimai-default", "1.0"),
    ]
    default = body["results"][2]
    version = MethodologyVersion.objects.get(methodology__slug="aimai-default", version="2.0")
    assert default["digest"] == version.digest
    assert default["status"] == "published"
    assert default["headline"] is True
    assert default["definition"]["index"]["weights"] == {
        "capability": -1.5,
        "solidarity": 1.5,
        "burden": -0.5,
    }
    assert default["definition"]["index"]["low_by_cause"] is True
    raw = client.get(default["file_url"])
    assert raw.status_code == 200
    assert raw.content.decode() == version.source
    assert yaml.safe_load(raw.content) == default["definition"]
    one = client.get("/api/v1/methodologies/", {"methodology": "aimai-bridgers"}).json()
    assert one["count"] == 2  # 2.0 and 1.0


def test_score_sets_name_their_inputs_and_which_is_current(client):
    body = client.get("/api/v1/score-sets/", {"methodology": "aimai-default"}).json()
    # newest first: version 2.0 back-cast on the demo release (never current), 2.0 on the
    # world release, then versions 1.1 and 1.0 on the demo release
    assert body["count"] == 4
    rows = [
        (r["methodology_version"], r["release"], r["current"], r["backcast"])
        for r in body["results"]
    ]
    assert rows == [
        ("2.0", "demo-2026-11", False, True),
        ("2.0", "world-2026", True, False),
        ("1.1", "demo-2026-11", False, False),
        ("1.0", "demo-2026-11", False, False),
    ]
    row = body["results"][1]
    score_set = current("aimai-default")
    assert row["digest"] == score_set.digest
    assert row["inputs_digest"] == score_set.inputs_digest
    assert row["release_digest"] == score_set.release.content_digest
    assert row["current"] is True
    assert client.get(f"/api/v1/score-sets/{score_set.digest}/").json()["current"] is True


def test_scores_one_row_per_country_with_rank_interval_and_confidence(client):
    body = client.get("/api/v1/scores/", {"methodology": "aimai-default", "limit": 500}).json()
    score_set = current("aimai-default")
    assert body["score_set"]["digest"] == score_set.digest
    rows = body["results"]
    assert len(rows) == body["count"] == score_set.scores.count()
    assert len([r for r in rows if r["aimai"] is not None]) == 184
    ranked = [r for r in rows if r["rank"]]
    assert [r["rank"] for r in ranked] == sorted(r["rank"] for r in ranked)
    assert rows.index(ranked[-1]) == len(ranked) - 1  # unscored countries come last
    usa = next(r for r in rows if r["country"] == "USA")
    assert set(usa) >= {
        "capability",
        "solidarity",
        "burden",
        "aimai",
        "rank",
        "rank_interval",
        "classification",
        "coverage",
        "confidence",
    }
    low, high = usa["rank_interval"]
    assert low <= usa["rank_median"] <= high
    assert usa["classification"] == "concentration"
    assert usa["aimai"] < -10
    assert usa["confidence"]["grade"] in "ABCD"


def test_scores_filter_and_reject_bad_parameters(client):
    concentration = client.get("/api/v1/scores/", {"classification": "concentration"}).json()
    assert concentration["count"] > 0
    assert {r["classification"] for r in concentration["results"]} == {"concentration"}
    # the 1.x classes stay filterable in the history: version 1.1 on the demo release
    old = ScoreSet.objects.get(methodology_version__version="1.1", release__slug="demo-2026-11")
    dividers = client.get(
        "/api/v1/scores/", {"score_set": old.digest, "classification": "divider"}
    ).json()
    assert dividers["score_set"]["digest"] == old.digest
    assert dividers["count"] > 0
    assert {r["classification"] for r in dividers["results"]} == {"divider"}
    bad = client.get("/api/v1/scores/", {"classification": "villain"})
    assert bad.status_code == 400
    assert "classification" in bad.json()["fields"]
    assert client.get("/api/v1/scores/", {"methodology": "nope"}).status_code == 404
    bad_digest = client.get("/api/v1/scores/", {"score_set": "xyz"})
    assert bad_digest.status_code == 400
    assert bad_digest.json()["fields"] == {
        "score_set": ["A score set digest is 64 lowercase hex digits."]
    }
    assert client.get("/api/v1/scores/", {"score_set": "0" * 64}).status_code == 404
    assert client.get("/api/v1/scores/", {"ordering": "-secret"}).status_code == 400


def test_scores_by_digest_and_by_methodology_agree(client):
    score_set = current("aimai-bridgers")
    by_digest = client.get("/api/v1/scores/", {"score_set": score_set.digest}).json()
    by_slug = client.get("/api/v1/scores/", {"methodology": "aimai-bridgers"}).json()
    assert by_digest["score_set"] == by_slug["score_set"]
    assert by_digest["results"] == by_slug["results"]


def test_explain_adds_up_and_names_the_score_set(client):
    body = client.get("/api/v1/scores/KEN/explain/", {"methodology": "aimai-default"}).json()
    assert body["score_set"]["digest"] == current("aimai-default").digest
    parts = body["contributions"]
    assert sum(p["aimai"] or 0 for p in parts) == pytest.approx(body["score"]["aimai"], abs=1e-6)
    for dimension in ("capability", "solidarity", "burden"):
        total = sum(p["to_dimension"] or 0 for p in parts if p["dimension"] == dimension)
        assert total == pytest.approx(body["score"][dimension], abs=1e-6)
    fsi = next(p for p in parts if p["indicator"] == "fsi_total")
    assert (fsi["year"], fsi["value"], fsi["provenance"]) == (2023, 87.8, "carried_forward")
    # Kenya signed one of the five shared AI commitments (the Bletchley Declaration)
    shared = next(p for p in parts if p["indicator"] == "shared_ai_commitments")
    assert (shared["computed"], shared["value"], shared["provenance"]) == (True, 1.0, "observed")
    commitments = next(p for p in parts if p["indicator"] == "compact_commitments")
    assert commitments["computed"] is True
    assert commitments["value"] == 0.0
    # a donor-only indicator is a gap for Kenya, not a 0, and contributes nothing
    oda = next(p for p in parts if p["indicator"] == "oda_gni")
    assert (oda["value"], oda["provenance"], oda["aimai"]) == (None, "missing", None)
    assert "share of the log" in body["decomposition"]
    assert client.get("/api/v1/scores/ZZZ/explain/").status_code == 404


def test_the_bundle_download_is_a_zip_with_an_etag(client):
    score_set = current("aimai-default")
    response = client.get(f"/api/v1/score-sets/{score_set.digest}/bundle/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["ETag"] == f'"{score_set.digest}"'
    assert "attachment" in response["Content-Disposition"]
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert set(names) == {
        "manifest.json",
        "methodology.yaml",
        "methodology.json",
        "inputs.json",
        "outputs.json",
    }
    again = client.get(
        f"/api/v1/score-sets/{score_set.digest}/bundle/", HTTP_IF_NONE_MATCH=response["ETag"]
    )
    assert again.status_code == 304
    assert client.get(f"/api/v1/score-sets/{'0' * 64}/bundle/").status_code == 404


def test_the_schema_is_served(client):
    response = client.get("/methodology/schema.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["title"] == "AIMAI methodology"
    assert schema["properties"]["imputation"]["enum"] == ["none", "region_mean"]


def test_the_methodology_page_renders_formula_indicators_and_comparison(client):
    html = client.get("/methodology/").content.decode()
    # each methodology's current version: 2.0 of both
    assert "AIMAI = 1.5 × Solidarity − 1.5 × Capability − 0.5 × Burden" in html
    assert "AIMAI = 1 × Solidarity + 1 × Capability − 1 × Burden" in html
    # the headline names a low AIMAI by its cause; the alternative still says divider
    assert "<strong>Divider — concentration</strong>: AIMAI ≤ −10, and capability" in html
    assert "<strong>Burdened co-creator</strong>: AIMAI ≤ −10, and burdens pull" in html
    assert "<strong>Divider</strong>: AIMAI ≤ 0." in html
    assert "Government AI Readiness Index, technology sector pillar" in html
    assert "Shared AI commitments" in html
    assert "computed by the platform" in html
    assert "a country on none of them counts 0" in html  # the rule for complete lists
    assert "goalposts 0 → 0, 0.7 → 100" in html
    # the rule of the indicator drawn from the compacts registry, as the file writes it
    assert "Commitments in AI compacts" in html
    assert (
        "Rule (set in the methodology file):</strong> Points per commitment by kind: compute 1, "
        "open model 1, dataset 1, know-how 0.5 (other kinds 0). With an amount, "
        "× (1 + log₁₀(1 + amount)), at most × 5. Only commitments in active compacts with a "
        "partner in another country count; a country with none counts 0. A compact counts only "
        "once every party has confirmed one of its progress reports, or once it has been active "
        "180 days (counted when the scores are computed)."
    ) in html
    assert "Compacts can add at most 1 point per compact and 4 in all to the indicator" in html
    for slug in ("aimai-default", "aimai-bridgers"):
        assert f"{current(slug).digest}</code> on data release world-2026" in html
    # the side-by-side comparison has a row for every country the current sets cover
    comparison = html[html.index('id="comparison"') :]
    comparison = comparison[: comparison.index("</table>")]
    assert comparison.count('href="/countries/') == current("aimai-default").scores.count()
    assert comparison.count('href="/countries/') > 184


def test_the_methodology_page_and_scores_use_a_constant_number_of_queries(client):
    # 11: one of them reads every version's translated texts, in English too (the same cost)
    assert query_count(client, "/methodology/") <= 11
    assert query_count(client, "/api/v1/scores/?limit=500") <= 8


def test_the_country_page_states_the_digest_and_explains_the_score(client):
    html = client.get("/countries/KEN/").content.decode()
    for slug in ("aimai-default", "aimai-bridgers"):
        assert current(slug).digest in html
    assert 'id="explain"' in html
    assert "carried forward from 2023 to 2026" in html
    assert client.get("/countries/ATA/").status_code == 200  # no score: an empty state


@pytest.mark.parametrize("as_of", ["9999-12-31", "0001-01-01"])
def test_extreme_days_are_answered_not_crashed(client, as_of):
    response = client.get("/api/v1/scores/", {"as_of": as_of})
    assert response.status_code in (200, 404)
    explain = client.get("/api/v1/scores/USA/explain/", {"as_of": as_of})
    assert explain.status_code in (200, 404)


@pytest.mark.parametrize("as_of", ["20261121", "2026-W47-6", "2026-11-21T00:00", "2026-02-30"])
def test_as_of_takes_a_calendar_day_and_nothing_else(client, as_of):
    response = client.get("/api/v1/scores/", {"as_of": as_of})
    assert response.status_code == 400
    assert response.json()["fields"]["as_of"] == [f"“{as_of}” is not a date; use YYYY-MM-DD."]


def test_a_digest_with_a_methodology_or_a_day_is_a_contradiction(client):
    digest = current("aimai-default").digest
    for extra in ({"methodology": "aimai-bridgers"}, {"as_of": "2026-11-21"}):
        response = client.get("/api/v1/scores/", {"score_set": digest, **extra})
        assert response.status_code == 400
        assert "score_set" in response.json()["fields"]


@pytest.mark.parametrize("ordering", ["rank", "-rank", "aimai", "-aimai", "capability"])
def test_unscored_countries_come_last_in_every_order(client, ordering):
    rows = client.get("/api/v1/scores/", {"ordering": ordering, "limit": 500}).json()["results"]
    field = ordering.lstrip("-")
    present = [r[field] is not None for r in rows]
    assert present == sorted(present, reverse=True)  # all the Trues, then all the Falses
    values = [r[field] for r in rows if r[field] is not None]
    assert values == sorted(values, reverse=ordering.startswith("-"))


def test_a_country_without_aimai_still_has_its_dimensions_explained(client):
    # Eritrea: too little solidarity data for a score, so no AIMAI under 2.0, but a burden
    body = client.get("/api/v1/scores/ERI/explain/").json()
    assert body["score"]["solidarity"] is None
    assert body["score"]["classification"] == "insufficient_data"
    assert body["score"]["aimai"] is None
    assert body["total"] is None
    assert body["score"]["burden"] is not None
    parts = [p for p in body["contributions"] if p["dimension"] == "burden"]
    total = sum(p["to_dimension"] or 0 for p in parts)
    assert total == pytest.approx(body["score"]["burden"], abs=1e-6)
    assert all(p["aimai"] is None for p in body["contributions"])
    html = client.get("/countries/ERI/").content.decode()
    assert "which Eritrea does not have (insufficient data)" in html
    assert "share of the log" in html
