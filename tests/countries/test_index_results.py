"""Engine results beyond the scores: sensitivity, provenance, confidence, imputation,
computed indicators, methodology files and bundles. No database."""

import copy
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from countries.index.bundle import digests, inputs_document, outputs_document, recompute
from countries.index.computed import AI_GOVERNANCE_COMMITMENTS
from countries.index.engine import Observation, compute
from countries.index.methodology import GroupSpec, MethodologyError, methodology_changes
from countries.index.reading import methodology_load, methodology_parse
from countries.index.sensitivity import CHUNK, rank_intervals

SHIPPED = Path(__file__).resolve().parents[2] / "countries" / "methodologies"

BASE = {
    "slug": "t",
    "version": "1",
    "title": "t",
    "reference_year": 2024,
    "dimensions": {
        "capability": {
            "groups": [
                {"name": "talent", "weight": 2, "indicators": [{"code": "c1", "weight": 1}]},
                {
                    "name": "compute",
                    "weight": 1,
                    "aggregation": "geometric",
                    "indicators": [{"code": "c2", "weight": 1}, {"code": "c3", "weight": 3}],
                },
            ]
        },
        "solidarity": {"indicators": [{"code": "s1", "weight": 1}, {"code": "s2", "weight": 2}]},
        "burden": {"indicators": [{"code": "b1", "weight": 1}]},
    },
    "index": {
        "weights": {"capability": -1.5, "solidarity": 1, "burden": -0.5},
        "bridger_min": 10,
        "divider_max": -10,
    },
    "sensitivity": {"perturbation": 0.3, "draws": 40, "seed": 7},
}
CODES = ("c1", "c2", "c3", "s1", "s2", "b1")


def world(n: int = 12, seed: int = 1) -> tuple[list[Observation], list[str]]:
    rng = np.random.default_rng(seed)
    countries = [f"C{i:02d}" for i in range(n)]
    rows = [
        Observation(c, code, 2024, float(rng.uniform(1, 100))) for c in countries for code in CODES
    ]
    return rows, countries


def _reweighted(methodology, factors, index_factors):
    """The methodology with every weight multiplied, walking the tree in the engine's order."""
    position = iter(range(len(factors)))

    def walk(node):
        weight = node.weight * factors[next(position)]
        if isinstance(node, GroupSpec):
            children = [walk(child) for child in node.indicators or node.groups]
            if node.indicators:
                return replace(node, weight=weight, indicators=tuple(children))
            return replace(node, weight=weight, groups=tuple(children))
        return replace(node, weight=weight)

    dims = {name: walk(methodology.dimensions[name]) for name in methodology.dimensions}
    names = ("capability", "solidarity", "burden")
    weights = {
        n: methodology.index_weights[n] * f for n, f in zip(names, index_factors, strict=True)
    }
    return replace(methodology, dimensions=dims, index_weights=weights)


def test_vectorised_sensitivity_equals_recomputing_every_draw_one_by_one():
    methodology = methodology_parse(BASE)
    rows, countries = world()
    result = compute(methodology, rows, countries)
    # the same random factors, drawn in the same order as the engine draws them
    rng = np.random.default_rng(7)
    # every node of the three trees: capability 3 groups + 3 indicators, solidarity 1 + 2,
    # burden 1 + 1
    n_weights = 6 + 3 + 2
    draws = methodology.sensitivity_draws
    assert draws <= CHUNK
    factors = rng.uniform(0.7, 1.3, (draws, n_weights))
    index_factors = rng.uniform(0.7, 1.3, (draws, 3))
    ranks = np.empty((len(countries), draws))
    for d in range(draws):
        one = compute(
            _reweighted(methodology, factors[d], index_factors[d]),
            rows,
            countries,
            sensitivity=False,
        )
        ranks[:, d] = [s.rank for s in one.scores]
    low, median, high = np.quantile(ranks, [0.05, 0.5, 0.95], axis=1, method="inverted_cdf")
    for i, score in enumerate(result.scores):
        assert score.rank_interval == (low[i], high[i])
        assert score.median_rank == median[i]
        assert low[i] <= median[i] <= high[i]


def test_sensitivity_is_seeded_and_a_zero_perturbation_gives_the_rank_itself():
    rows, countries = world()
    first = compute(methodology_parse(BASE), rows, countries)
    again = compute(methodology_parse(BASE), rows, countries)
    assert [s.rank_interval for s in first.scores] == [s.rank_interval for s in again.scores]
    reseeded = compute(
        methodology_parse({**BASE, "sensitivity": {**BASE["sensitivity"], "seed": 8}}),
        rows,
        countries,
    )
    assert [s.rank_interval for s in reseeded.scores] != [s.rank_interval for s in first.scores]
    fixed = compute(
        methodology_parse({**BASE, "sensitivity": {"perturbation": 0, "draws": 5}}),
        rows,
        countries,
    )
    assert all(s.rank_interval == (s.rank, s.rank) for s in fixed.scores)


def test_sensitivity_works_in_chunks_beyond_one_chunk_of_draws():
    methodology = methodology_parse({**BASE, "sensitivity": {"draws": CHUNK * 2 + 7}})
    rows, countries = world(30)
    intervals = rank_intervals(
        methodology,
        np.random.default_rng(0).uniform(0, 100, (30, 6)),
        {code: j for j, code in enumerate(CODES)},
    )
    assert np.all(intervals.low <= intervals.median)
    assert np.all(intervals.median <= intervals.high)


def test_provenance_confidence_and_the_variant_without_imputed_values():
    definition = copy.deepcopy(BASE)
    definition["imputation"] = "region_mean"
    definition["dimensions"]["solidarity"]["min_coverage"] = 0.3
    methodology = methodology_parse(definition)
    rows = []
    for country, s2 in (("AAA", 10.0), ("BBB", 30.0), ("CCC", None)):
        for code in CODES:
            if code == "s2" and s2 is None:
                continue
            year = 2024 if code != "c1" else 2020  # c1 is four years old for everyone
            value = s2 if code == "s2" else {"AAA": 1.0, "BBB": 50.0, "CCC": 100.0}[country]
            rows.append(Observation(country, code, year, value))
    regions = {"AAA": "Africa", "BBB": "Africa", "CCC": "Africa"}
    result = compute(methodology, rows, regions, regions)
    ccc = result.by_country()["CCC"]
    assert ccc.provenance["s2"] == {"status": "imputed", "method": "region_mean"}
    assert ccc.provenance["c1"] == {"status": "carried_forward", "year": 2020}
    assert ccc.provenance["s1"] == {"status": "observed", "year": 2024}
    assert ccc.imputed == ("s2",)
    # s2 normalised by min-max over AAA (0) and BBB (100): CCC gets the region mean, 50
    assert ccc.normalised["s2"] == pytest.approx(50)
    # share of the index weight observed: all but s2 (solidarity 1/3 of the index x 2/3)
    assert ccc.observed_weight == pytest.approx(1 - 1 / 3 * 2 / 3)
    # median age: c1 is 4 years old, the five others 0; 78% observed -> grade B
    assert ccc.median_age == 0
    assert ccc.confidence == "B"
    assert ccc.aimai_without_imputation != ccc.aimai
    without = compute(methodology_parse(definition | {"imputation": "none"}), rows, regions)
    assert ccc.aimai_without_imputation == pytest.approx(without.by_country()["CCC"].aimai)


def test_confidence_grades_follow_the_published_rule():
    from countries.index.engine import _confidence

    assert _confidence(0.95, 2) == "A"
    assert _confidence(0.95, 3) == "B"
    assert _confidence(0.8, 1) == "B"
    assert _confidence(0.7, 1) == "C"
    assert _confidence(0.5, 5) == "C"
    assert _confidence(0.49, 0) == "D"
    assert _confidence(1.0, None) == "D"


def test_effective_weights_add_up_to_one_and_follow_the_tree():
    shares = methodology_parse(BASE).effective_weights()
    assert sum(shares.values()) == pytest.approx(1)
    # capability carries 1.5 / 3 of the index; talent 2/3 of it; compute's c3 3/4 of 1/3
    assert shares["c1"] == pytest.approx(0.5 * 2 / 3)
    assert shares["c3"] == pytest.approx(0.5 * 1 / 3 * 3 / 4)
    assert shares["b1"] == pytest.approx(0.5 / 3)


def test_membership_count_is_computed_for_every_scored_country():
    rows = [
        Observation("FRA", "oecd_ai_principles", 2019, 1),
        Observation("FRA", "gpai_member", 2024, 1),
        Observation("KEN", "gdb_score", 2022, 40),
    ]
    computed = AI_GOVERNANCE_COMMITMENTS.observations(rows, ["FRA", "KEN", "NOR"])
    assert computed == [
        Observation("FRA", "ai_governance_commitments", 2024, 2.0),
        Observation("KEN", "ai_governance_commitments", 2024, 0.0),
        Observation("NOR", "ai_governance_commitments", 2024, 0.0),
    ]
    # never without any list to count from
    assert AI_GOVERNANCE_COMMITMENTS.observations([rows[2]], ["KEN"]) == []


@pytest.mark.parametrize(
    "name", ["aimai-default.yaml", "aimai-default-1.1.yaml", "aimai-bridgers.yaml"]
)
def test_the_shipped_methodologies_are_valid(name):
    methodology = methodology_load((SHIPPED / name).read_text())
    assert name in (f"{methodology.slug}.yaml", f"{methodology.slug}-{methodology.version}.yaml")
    assert sum(methodology.effective_weights().values()) == pytest.approx(1)


def test_the_default_methodology_counts_capability_against_and_the_alternative_for():
    default = methodology_load((SHIPPED / "aimai-default.yaml").read_text())
    bridgers = methodology_load((SHIPPED / "aimai-bridgers.yaml").read_text())
    assert default.index_weights["capability"] < 0 < default.index_weights["solidarity"]
    assert default.index_weights["burden"] < 0
    assert bridgers.index_weights["capability"] > 0
    assert bridgers.index_weights["burden"] < 0


def test_a_methodology_file_gets_located_errors_from_the_schema():
    text = (SHIPPED / "aimai-default.yaml").read_text()
    data = yaml.safe_load(text)
    data["dimensions"]["solidarity"]["indicators"][1]["weight"] = 0
    data["dimensions"]["solidarity"]["indicators"][2]["normalisation"] = "rank"
    data["index"]["weights"].pop("burden")
    with pytest.raises(MethodologyError) as excinfo:
        methodology_load(yaml.safe_dump(data))
    assert excinfo.value.errors == [
        "dimensions.solidarity.indicators[1](github_repositories).weight: "
        "0 is less than or equal to the minimum of 0",
        "dimensions.solidarity.indicators[2](gdb_score).normalisation: "
        "'rank' is not one of ['minmax', 'goalposts', 'zscore', 'percentile']",
        "index.weights: 'burden' is a required property",
    ]
    with pytest.raises(MethodologyError) as excinfo:
        methodology_load("slug: [unclosed\n")
    assert excinfo.value.errors[0].startswith("line 2, column 1: not valid YAML or JSON")


def test_changes_between_versions_are_listed_in_words():
    old = yaml.safe_load((SHIPPED / "aimai-default.yaml").read_text())
    new = copy.deepcopy(old)
    new["dimensions"]["burden"]["indicators"].pop()
    new["dimensions"]["capability"]["indicators"][0]["weight"] = 3
    new["index"]["divider_max"] = -5
    assert methodology_changes(old, new) == [
        "Indicator internet_users removed from burden.",
        "Indicator gai_total: weight 2 → 3.",
        "index.divider_max: -10 → -5.",
    ]


def test_the_same_inputs_give_the_same_outputs_and_digests():
    rows, countries = world()
    regions = dict.fromkeys(countries, "Asia")
    inputs = inputs_document(BASE, rows, regions)
    first = recompute(inputs)
    assert recompute(copy.deepcopy(inputs)) == first
    assert digests(inputs, first) == digests(copy.deepcopy(inputs), recompute(inputs))
    # and any change to an input changes the inputs digest
    inputs["observations"][0][3] += 1e-9
    assert (
        digests(inputs, first).inputs != digests(inputs_document(BASE, rows, regions), first).inputs
    )


def test_outputs_document_rounds_and_lists_every_country():
    rows, countries = world()
    outputs = outputs_document(compute(methodology_parse(BASE), rows, countries))
    assert [s["country"] for s in outputs["scores"]] == countries
    aimai = [s["aimai"] for s in outputs["scores"]]
    assert all(a == round(a, 9) for a in aimai)
    for s in outputs["scores"]:
        parts = outputs["contributions"][s["country"]]["aimai"]
        assert sum(parts.values()) == pytest.approx(s["aimai"], abs=1e-7)


def test_imputation_fills_gaps_but_never_makes_a_score_from_too_little_data():
    methodology = methodology_parse({**BASE, "imputation": "region_mean"})
    rows, countries = world(4)
    rows.append(Observation("THIN", "b1", 2024, 50.0))  # one burden value, nothing else
    regions = dict.fromkeys([*countries, "THIN"], "Europe")
    thin = compute(methodology, rows, regions, regions).by_country()["THIN"]
    assert thin.burden is not None
    assert thin.capability is None
    assert thin.solidarity is None
    assert thin.aimai is None
    assert thin.classification == "insufficient_data"


def test_changed_index_weights_are_listed_one_by_one():
    old = yaml.safe_load((SHIPPED / "aimai-default.yaml").read_text())
    new = copy.deepcopy(old)
    new["index"]["weights"]["burden"] = -1
    assert methodology_changes(old, new) == ["index.weights.burden: -0.5 → -1."]


def test_year_policies_and_per_capita_values_worked_by_hand():
    from countries.index.engine import _selected

    def methodology(year: dict) -> object:
        indicator = {
            "code": "x",
            "weight": 1,
            "normalisation": "goalposts",
            "goalposts": [0, 10],
            "per_capita": {"denominator": "pop", "scale": 1},
            "year": year,
        }
        dimensions = {
            "capability": {"indicators": [indicator]},
            "solidarity": {"indicators": [{"code": "s", "weight": 1}]},
            "burden": {"indicators": [{"code": "b", "weight": 1}]},
        }
        return methodology_parse({**BASE, "dimensions": dimensions})

    rows = [
        Observation("AAA", "x", 2020, 10.0),
        Observation("AAA", "x", 2022, 20.0),
        Observation("AAA", "pop", 2020, 2.0),
        Observation("AAA", "pop", 2022, 5.0),
        Observation("BBB", "x", 2018, 7.0),
    ]
    # latest in [2019, 2021]: 10 / 2 = 5 per person -> 50 on the 0-10 goalposts
    selected, normalised, years = _selected(
        methodology({"policy": "latest", "window": [2019, 2021]}), rows, ["AAA", "BBB"]
    )
    assert selected[0, 0] == 10.0
    assert normalised[0, 0] == pytest.approx(50)
    assert years[0, 0] == 2020
    assert np.isnan(normalised[1, 0])  # BBB's only value is outside the window
    # latest overall: 20 / 5 = 4 -> 40
    _, normalised, years = _selected(methodology({"policy": "latest"}), rows, ["AAA", "BBB"])
    assert normalised[0, 0] == pytest.approx(40)
    assert years[0, 0] == 2022
    assert np.isnan(normalised[1, 0])  # BBB has no population to divide by
    # a fixed year that a country lacks leaves it missing
    _, normalised, _ = _selected(
        methodology({"policy": "fixed", "year": 2020}), rows, ["AAA", "BBB"]
    )
    assert normalised[0, 0] == pytest.approx(50)
    assert np.isnan(normalised[1, 0])


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.floats(1, 100), min_size=6, max_size=6),
    st.sampled_from(CODES[:3]),
    st.floats(0.1, 50),
)
def test_raising_a_capability_value_never_lowers_the_capability_score(values, code, raise_by):
    methodology = methodology_parse({**BASE, "sensitivity": {"draws": 0}})
    rows, countries = world(5)
    mine = [Observation("ME", c, 2024, v) for c, v in zip(CODES, values, strict=True)]
    before = compute(methodology, rows + mine, [*countries, "ME"]).by_country()["ME"]
    raised = [r._replace(value=r.value + raise_by) if r.indicator == code else r for r in mine]
    after = compute(methodology, rows + raised, [*countries, "ME"]).by_country()["ME"]
    assert after.capability >= before.capability - 1e-9
