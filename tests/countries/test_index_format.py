"""The methodology format as a general composite index: any named dimensions, a signed sum or
a weighted arithmetic or geometric mean at the top, bounds in natural units, a dimension
weighted 0. Numbers worked out by hand; the engine needs no database (the last tests, about
what the platform publishes and shows, do)."""

import copy
import math
import random
from pathlib import Path

import pytest
import yaml

from countries.index.bundle import outputs_document
from countries.index.digest import canonical_json, sha256_hex
from countries.index.engine import Observation, compute
from countries.index.methodology import DIMENSIONS, MethodologyError, methodology_changes
from countries.index.reading import methodology_load, methodology_parse
from tests.countries.test_index_engine import METHODOLOGY

SHIPPED = Path(__file__).resolve().parents[2] / "countries" / "methodologies"
HDI = SHIPPED / "examples" / "undp-hdi.yaml"


def indicator(code: str, **more) -> dict:
    """An indicator already on 0-100 (goalposts 0 and 100), unless `more` says otherwise."""
    return {"code": code, "weight": 1, "normalisation": "goalposts", "goalposts": [0, 100], **more}


def index(dimensions: dict, weights: dict, **more) -> dict:
    return {
        "slug": "test-index",
        "version": "1",
        "title": "Test index",
        "dimensions": dimensions,
        "index": {"weights": weights, "bridger_min": 60, "divider_max": 20, **more},
    }


def rows(values: dict[str, dict[str, float]], year: int = 2024) -> list[Observation]:
    return [
        Observation(country, code, year, value)
        for country, by_code in values.items()
        for code, value in by_code.items()
    ]


# Existing files keep their digests and their scores ------------------------------------------

# sha256 of the canonical JSON of each shipped file's data, as stored with its published version
# (recorded before the format became general)
SHIPPED_DIGESTS = {
    "aimai-bridgers-2.0.yaml": "460fc9ed6e005b11bd3190f12818513feaf92a32cfbe4c4235b124c2e61ef377",
    "aimai-bridgers.yaml": "5e841c5ba93b5c7a627d7625ead95ed8e8a78ea99f721f526a8b56b47656a845",
    "aimai-default-1.1.yaml": "5cb62e58c97bbdb2313f3ea8c697ccefd084907ce73638a98eba5ef250f957f3",
    "aimai-default-2.0.yaml": "ba0d0501a9bc7e1bd3e47505317f868f09d99e695344983b9fae5acdf35205c9",
    "aimai-default.yaml": "71fba253a18e6d74afde1f4edcd56b7a5a9769bd9095a93d549cf06de86ed345",
}
# sha256 of the outputs document computed on synthetic() data (sensitivity included), recorded
# with the engine as it was before the format became general
SHIPPED_OUTPUTS = {
    "aimai-bridgers-2.0.yaml": "b58353b6cd73a73ec1aef55b381e35d78d25c282d1c69378406cefc81e77c403",
    "aimai-bridgers.yaml": "17b5519572b0d64e16ac9a777fa51dbf8650b49c72e21a17c4bfb681e312258c",
    "aimai-default-1.1.yaml": "06bbd7f33a19b8bebc9d2f12ebe95b19dd53b17ddc7a19f99452f7520c552aaf",
    "aimai-default-2.0.yaml": "a89ac32c5fe751eee31accf9aa1bb3dfdc1312df7c671d1a96e0e81527497465",
    "aimai-default.yaml": "90fcaae54776e2bbe6885360b4067964ef30dc2471ead79be3a29604805874f0",
}

# Every option the format had before: nested geometric groups, caps in transformed units, every
# normalisation, year policies, per capita, complete lists, imputation, a low AIMAI by its cause.
EVERY_OPTION = {
    "slug": "every-option",
    "version": "1",
    "title": "Every option",
    "imputation": "region_mean",
    "geometric_floor": 2,
    "dimensions": {
        "capability": {
            "aggregation": "geometric",
            "min_coverage": 0.4,
            "groups": [
                {
                    "name": "a",
                    "weight": 2,
                    "indicators": [
                        {
                            "code": "k1",
                            "weight": 1,
                            "transform": "log",
                            "cap": {"min": 0.5, "max": 4},
                        },
                        {"code": "k2", "weight": 2, "normalisation": "zscore"},
                    ],
                },
                {
                    "name": "b",
                    "weight": 1,
                    "aggregation": "geometric",
                    "indicators": [
                        {
                            "code": "k3",
                            "weight": 1,
                            "normalisation": "percentile",
                            "absent": "zero",
                        },
                        {
                            "code": "k4",
                            "weight": 1,
                            "transform": "sqrt",
                            "normalisation": "goalposts",
                            "goalposts": [1, 12],
                            "cap": {"max": 10},
                        },
                    ],
                },
            ],
        },
        "solidarity": {
            "indicators": [
                {
                    "code": "s1",
                    "weight": 1,
                    "per_capita": {"denominator": "population", "scale": 1000000},
                    "transform": "log1p",
                },
                {"code": "s2", "weight": 0.5, "year": {"policy": "fixed", "year": 2022}},
                {
                    "code": "s3",
                    "weight": 1,
                    "year": {"policy": "latest", "window": [2019, 2023]},
                    "direction": "higher_is_less",
                },
            ]
        },
        "burden": {
            "min_coverage": 1,
            "indicators": [
                {
                    "code": "b1",
                    "weight": 1,
                    "normalisation": "goalposts",
                    "goalposts": [0, 150],
                    "cap": {"min": 10},
                }
            ],
        },
    },
    "index": {
        "weights": {"capability": -1, "solidarity": 1.5, "burden": -0.5},
        "bridger_min": 5,
        "divider_max": -5,
        "low_by_cause": True,
        "concentration_top_n": 5,
    },
    "sensitivity": {"draws": 300, "seed": 3, "perturbation": 0.3},
}
# (definition, sensitivity) -> sha256 of the outputs document on synthetic() data, recorded
# with the engine as it was before
FIXTURE_OUTPUTS = {
    ("every-option", True): "1ebc5f9c7a90932c06aacfe101fd766cc055251294ba9aefff4ff49bea0051d2",
    ("every-option", False): "14ec61172cc016aa2d1688dc66cd3b73169bff90337c7f5da6a015daf3d33b8f",
    ("test", True): "e610bd25bcf81e7334d81b1d585fc387b5e0535925eee70f4fbeaf80ab29f72d",
    ("test", False): "ab95f424d21fe49d9967e8534c41fa018bad9d69750bde93c9d31b22acae220f",
}


def synthetic(methodology, n: int = 40, seed: int = 7):
    """Rows for every indicator the methodology reads, from a seeded generator: about 15% gaps,
    one or two years per value, zeros, small and large values; four regions, one of them none."""
    rnd = random.Random(seed)  # noqa: S311 (reproducible test data, not secrets)
    countries = [f"C{k:02d}" for k in range(n)]
    regions = {c: ("", "R1", "R2", "R3")[k % 4] for k, c in enumerate(countries)}
    found = []
    for code in sorted(methodology.codes_needed()):
        for country in countries:
            if rnd.random() < 0.15:
                continue
            for _ in range(rnd.choice((1, 2))):
                year = rnd.randint(2018, 2025)
                if code == "population":
                    value = round(rnd.uniform(1e5, 1e9))
                else:
                    value = round(rnd.choice((0.0, rnd.uniform(0, 1), rnd.uniform(0, 200))), 3)
                found.append(Observation(country, code, year, float(value)))
    return found, countries, regions


def outputs_digest(methodology, sensitivity: bool = True) -> str:
    found, countries, regions = synthetic(methodology)
    result = compute(methodology, found, countries, regions, sensitivity=sensitivity)
    return sha256_hex(canonical_json(outputs_document(result)))


def test_every_shipped_methodology_is_checked_by_the_test_below():
    assert sorted(path.name for path in SHIPPED.glob("*.yaml")) == sorted(SHIPPED_DIGESTS)


@pytest.mark.parametrize("name", sorted(SHIPPED_DIGESTS))
def test_shipped_methodologies_validate_with_their_digests_and_scores_unchanged(name):
    methodology = methodology_load((SHIPPED / name).read_text(encoding="utf-8"))
    assert sha256_hex(canonical_json(methodology.raw)) == SHIPPED_DIGESTS[name]
    assert methodology.is_aimai_shaped
    assert methodology.dimension_names == DIMENSIONS
    assert methodology.index_aggregation == "signed_sum"
    assert outputs_digest(methodology) == SHIPPED_OUTPUTS[name]


@pytest.mark.parametrize(
    ("name", "definition"), [("every-option", EVERY_OPTION), ("test", METHODOLOGY)]
)
@pytest.mark.parametrize("sensitivity", [True, False])
def test_every_option_scores_exactly_as_before(name, definition, sensitivity):
    methodology = methodology_parse(definition)
    assert outputs_digest(methodology, sensitivity) == FIXTURE_OUTPUTS[(name, sensitivity)]


def test_the_fixture_data_exercises_the_options():
    """The digests above would say little if everything were missing or nobody differed."""
    found, countries, regions = synthetic(methodology_parse(EVERY_OPTION))
    scores = compute(methodology_parse(EVERY_OPTION), found, countries, regions).scores
    classes = {s.classification for s in scores}
    assert {"bridger", "burdened", "insufficient_data"} <= classes
    assert any(s.imputed for s in scores)
    assert sum(s.aimai is not None for s in scores) > 10


def test_aimai_files_written_in_another_order_keep_the_headline_order():
    data = copy.deepcopy(METHODOLOGY)
    data["dimensions"] = dict(reversed(list(data["dimensions"].items())))
    reordered, original = methodology_parse(data), methodology_parse(METHODOLOGY)
    assert reordered.dimension_names == DIMENSIONS
    assert [s.code for s in reordered.indicators()] == [s.code for s in original.indicators()]


def test_an_aimai_outputs_document_is_unchanged_and_another_index_adds_its_dimensions():
    aimai = compute(methodology_parse(METHODOLOGY), rows({"A": {"cap": 1}}), ["A"])
    assert "dimensions" not in outputs_document(aimai)["scores"][0]
    other = methodology_parse(index({"x": {"indicators": [indicator("x1")]}}, {"x": 1}))
    document = outputs_document(compute(other, rows({"A": {"x1": 40}}), ["A"]))
    assert document["scores"][0]["dimensions"] == {"x": 40.0}
    assert document["scores"][0]["capability"] is None
    assert document["scores"][0]["aimai"] == 40.0


# A geometric top level -----------------------------------------------------------------------

GEOMETRIC = index(
    {"alpha": {"indicators": [indicator("a")]}, "beta": {"indicators": [indicator("b")]}},
    {"alpha": 1, "beta": 1},
    aggregation="geometric",
)


def test_a_geometric_top_level_is_the_weighted_geometric_mean_of_the_dimensions():
    methodology = methodology_parse(GEOMETRIC)
    result = compute(
        methodology,
        rows({"X": {"a": 25, "b": 64}, "Y": {"a": 81, "b": 100}, "Z": {"a": 16}}),
        ["X", "Y", "Z"],
    )
    scores = result.by_country()
    # X: (25 x 64)^(1/2) = sqrt(1600) = 40; Y: (81 x 100)^(1/2) = 90
    assert scores["X"].aimai == pytest.approx(40)
    assert scores["Y"].aimai == pytest.approx(90)
    # Z has no beta: no index, not a zero (beta weighs 1)
    assert scores["Z"].aimai is None
    assert scores["Z"].dimensions == {"alpha": 16.0, "beta": None}
    assert scores["X"].dimensions == {"alpha": 25.0, "beta": 64.0}
    assert (scores["Y"].rank, scores["X"].rank, scores["Z"].rank) == (1, 2, None)
    # bridger at 60 or more, divider at 20 or less: the thresholds are the methodology's
    assert (scores["Y"].classification, scores["X"].classification) == ("bridger", "neutral")
    assert scores["X"].capability is None
    assert scores["X"].burden is None
    assert not any(s.concentrated for s in result.scores)  # no capability: no concentration
    assert scores["Y"].rank_interval == (1, 1)


def test_unequal_weights_and_the_contributions_of_a_geometric_top_level_add_up():
    data = copy.deepcopy(GEOMETRIC)
    data["index"]["weights"] = {"alpha": 1, "beta": 3}
    data["dimensions"]["beta"] = {"indicators": [indicator("b1"), indicator("b2", weight=3)]}
    result = compute(methodology_parse(data), rows({"X": {"a": 25, "b1": 64, "b2": 64}}), ["X"])
    x = result.by_country()["X"]
    # G = 25^(1/4) x 64^(3/4) = sqrt(5) x 2^4.5 = 2.2360680 x 22.627417 = 50.596443
    assert x.aimai == pytest.approx(math.sqrt(5) * 2**4.5)
    assert x.aimai == pytest.approx(50.596443)
    # log shares: alpha (1 x ln 25) / (ln 25 + 3 ln 64) of G; beta the rest, split 1:3 between
    # b1 and b2 as they contribute 16 and 48 to beta's 64
    parts = result.contributions["X"]["aimai"]
    alpha = x.aimai * math.log(25) / (math.log(25) + 3 * math.log(64))
    assert parts["a"] == pytest.approx(alpha)
    assert parts["b1"] == pytest.approx((x.aimai - alpha) / 4)
    assert parts["b2"] == pytest.approx((x.aimai - alpha) * 3 / 4)
    assert sum(parts.values()) == pytest.approx(x.aimai, abs=1e-9)
    assert result.contributions["X"]["beta"] == pytest.approx({"b1": 16.0, "b2": 48.0})


def test_an_arithmetic_top_level_is_the_weighted_mean():
    data = copy.deepcopy(GEOMETRIC)
    data["index"].update(aggregation="arithmetic", weights={"alpha": 1, "beta": 3})
    result = compute(methodology_parse(data), rows({"X": {"a": 20, "b": 60}}), ["X"])
    # (1 x 20 + 3 x 60) / 4 = 50; contributions 20/4 = 5 and 180/4 = 45
    assert result.by_country()["X"].aimai == pytest.approx(50)
    assert result.contributions["X"]["aimai"] == pytest.approx({"a": 5, "b": 45})


# Bounds in the indicator's own units ---------------------------------------------------------


def income(**more) -> dict:
    return index(
        {
            "income": {
                "indicators": [
                    {
                        "code": "gni",
                        "weight": 1,
                        "transform": "log",
                        "normalisation": "goalposts",
                        **more,
                    }
                ]
            }
        },
        {"income": 1},
    )


def test_natural_unit_goalposts_on_a_log_indicator_are_transformed_with_it():
    natural = methodology_parse(income(bounds_in="natural", goalposts=[100, 75000]))
    data = rows({"A": {"gni": 10000}, "B": {"gni": 75000}, "C": {"gni": 50}, "D": {"gni": 90000}})
    scores = compute(natural, data, "ABCD").by_country()
    # (ln 10000 - ln 100) / (ln 75000 - ln 100) x 100 = ln 100 / ln 750 x 100 = 69.5637...
    expected = (math.log(10000) - math.log(100)) / (math.log(75000) - math.log(100)) * 100
    assert scores["A"].aimai == pytest.approx(expected)
    assert scores["A"].aimai == pytest.approx(69.5637, abs=1e-4)
    # at the goalposts and beyond them: 100, 0 (below the low one), 100 (above the high one)
    assert [scores[c].aimai for c in "BCD"] == pytest.approx([100, 0, 100])
    # the same goalposts written on the log scale give the same scores
    logged = methodology_parse(income(goalposts=[math.log(100), math.log(75000)]))
    same = compute(logged, data, "ABCD").by_country()
    assert [same[c].aimai for c in "ABCD"] == pytest.approx([scores[c].aimai for c in "ABCD"])


def test_a_natural_unit_cap_clips_before_the_transform():
    capped = methodology_parse(
        income(bounds_in="natural", goalposts=[100, 75000], cap={"max": 50000})
    )
    scores = compute(capped, rows({"A": {"gni": 60000}}), ["A"]).by_country()
    # 60000 clipped to 50000: (ln 50000 - ln 100) / (ln 75000 - ln 100) x 100 = 93.875...
    assert scores["A"].aimai == pytest.approx(math.log(500) / math.log(750) * 100)
    # minmax over 10, 100, 1000 on a log scale, capped at 100 in dollars: 10 -> 0, 100 and
    # 1000 (clipped to 100) -> 100
    minmax = income(bounds_in="natural", cap={"max": 100}, normalisation="minmax")
    data = rows({"A": {"gni": 10}, "B": {"gni": 100}, "C": {"gni": 1000}})
    scores = compute(methodology_parse(minmax), data, "ABC").by_country()
    assert [scores[c].aimai for c in "ABC"] == pytest.approx([0, 100, 100])
    # the same cap in transformed units (the default) caps ln values at 100: nothing here
    minmax["dimensions"]["income"]["indicators"][0].pop("bounds_in")
    scores = compute(methodology_parse(minmax), data, "ABC").by_country()
    assert [scores[c].aimai for c in "ABC"] == pytest.approx([0, 50, 100])


# A dimension weighted 0 ----------------------------------------------------------------------


@pytest.mark.parametrize("aggregation", ["signed_sum", "arithmetic", "geometric"])
def test_a_zero_weight_dimension_with_no_data_never_blanks_the_index(aggregation):
    data = index(
        {
            "alpha": {"indicators": [indicator("a")]},
            "beta": {"indicators": [indicator("b")]},
            "unused": {"indicators": [indicator("u")]},
        },
        {"alpha": 1, "beta": 1, "unused": 0},
        aggregation=aggregation,
    )
    # no row of u at all
    result = compute(methodology_parse(data), rows({"X": {"a": 25, "b": 64}}), ["X"])
    x = result.by_country()["X"]
    # signed sum 25 + 64 = 89; arithmetic (25 + 64) / 2 = 44.5; geometric sqrt(25 x 64) = 40
    expected = {"signed_sum": 89, "arithmetic": 44.5, "geometric": 40}[aggregation]
    assert x.aimai == pytest.approx(expected)
    assert x.rank == 1
    assert x.rank_interval == (1, 1)
    assert x.dimensions["unused"] is None
    assert "unused" not in result.contributions["X"]
    assert sum(result.contributions["X"]["aimai"].values()) == pytest.approx(expected)
    # the AIMAI shape too: a burden weighted 0 without any burden data
    aimai = copy.deepcopy(METHODOLOGY)
    aimai["index"]["weights"]["burden"] = 0
    scores = compute(methodology_parse(aimai), rows({"X": {"cap": 10, "sol": 30}}), ["X"])
    # -0.5 x capability (minmax of one value: 50) + 1 x solidarity (50) = 25
    assert scores.by_country()["X"].aimai == pytest.approx(25)


# An index that is not AIMAI: UNDP's Human Development Index ----------------------------------

# Life expectancy, expected and mean years of schooling, GNI per capita (2017 PPP $), 2022, as
# in the Human Development Report 2023/2024, table 1
HDI_DATA = {
    "NOR": {
        "life_expectancy": 83.4,
        "expected_years_schooling": 18.6,
        "mean_years_schooling": 13.1,
        "gni_per_capita_ppp": 69190,
    },
    "IND": {
        "life_expectancy": 67.7,
        "expected_years_schooling": 12.6,
        "mean_years_schooling": 6.6,
        "gni_per_capita_ppp": 6951,
    },
    # no income figure: no HDI
    "XXX": {"life_expectancy": 70, "expected_years_schooling": 12, "mean_years_schooling": 8},
}


def hdi(life: float, expected: float, mean: float, gni: float) -> float:
    """The HDI by hand, as the technical notes write it (on 0-1)."""
    health = (life - 20) / (85 - 20)
    education = (min(expected, 18) / 18 + min(mean, 15) / 15) / 2
    income = (math.log(gni) - math.log(100)) / (math.log(75000) - math.log(100))
    return (health * education * income) ** (1 / 3)


def test_the_human_development_index_computes_as_undp_defines_it():
    methodology = methodology_load(HDI.read_text(encoding="utf-8"))
    assert methodology.dimension_names == ("health", "education", "income")
    assert not methodology.is_aimai_shaped
    result = compute(methodology, rows(HDI_DATA, 2022), HDI_DATA)
    scores = result.by_country()
    norway, india = scores["NOR"], scores["IND"]
    # Norway: health (83.4 - 20) / 65 = 0.97538; education (1 [18.6 capped at 18] + 13.1/15 =
    # 0.87333) / 2 = 0.93667; income ln(69190/100) / ln(750) = 6.53945 / 6.62007 = 0.98782;
    # HDI = (0.97538 x 0.93667 x 0.98782)^(1/3) = 0.966 (UNDP: 0.966)
    assert norway.dimensions == pytest.approx(
        {"health": 97.538462, "education": 93.666667, "income": 98.782}, abs=1e-3
    )
    assert norway.aimai == pytest.approx(100 * hdi(83.4, 18.6, 13.1, 69190))
    assert round(norway.aimai / 100, 3) == 0.966
    # India: health 47.7/65 = 0.73385; education (0.7 + 0.44) / 2 = 0.57; income
    # ln(69.51) / ln(750) = 0.64070; HDI = (0.73385 x 0.57 x 0.64070)^(1/3) = 0.6447 from these
    # rounded figures (UNDP: 0.644 from unrounded ones)
    assert india.aimai == pytest.approx(100 * hdi(67.7, 12.6, 6.6, 6951))
    assert india.aimai / 100 == pytest.approx(0.644, abs=0.001)
    assert scores["XXX"].aimai is None
    assert scores["XXX"].dimensions["income"] is None
    assert (norway.rank, india.rank) == (1, 2)
    assert (norway.classification, india.classification) == ("bridger", "neutral")
    for country in ("NOR", "IND"):
        parts = result.contributions[country]["aimai"]
        assert sum(parts.values()) == pytest.approx(scores[country].aimai, abs=1e-9)
    assert outputs_document(result)["scores"][0]["dimensions"] == {
        "education": pytest.approx(57.0),
        "health": pytest.approx(73.384615, abs=1e-6),
        "income": pytest.approx(64.0698, abs=1e-4),
    }


def test_the_example_is_not_among_the_shipped_files():
    from countries.scoring import SHIPPED as LOADED
    from countries.scoring import SHIPPED_DIR

    assert HDI.exists()
    assert HDI.name not in LOADED
    assert HDI not in set(SHIPPED_DIR.glob("*.yaml"))


# Located errors -------------------------------------------------------------------------------


def errors_of(data: dict) -> list[str]:
    with pytest.raises(MethodologyError) as excinfo:
        methodology_parse(data)
    return excinfo.value.errors


def test_the_weights_name_exactly_the_dimensions():
    data = index(
        {"alpha": {"indicators": [indicator("a")]}, "beta": {"indicators": [indicator("b")]}},
        {"alpha": 1, "gamma": 1},
    )
    assert errors_of(data) == [
        "dimensions.gamma: is missing",
        "index.weights.beta: is missing (every dimension needs an index weight)",
    ]
    # from the file, with the schema's errors, all at once
    text = yaml.safe_dump({**data, "index": {**data["index"], "aggregation": "median"}})
    with pytest.raises(MethodologyError) as excinfo:
        methodology_load(text)
    assert excinfo.value.errors == [
        "index.aggregation: 'median' is not one of ['signed_sum', 'arithmetic', 'geometric']",
        "index.weights: 'beta' is a required property",
        "index.weights.gamma: is not a dimension (dimensions: alpha, beta)",
    ]


def test_means_take_no_negative_weights_and_names_are_checked():
    data = copy.deepcopy(GEOMETRIC)
    data["index"]["weights"] = {"alpha": 1, "beta": -1}
    assert errors_of(data) == [
        "index.weights.beta: must not be negative under the geometric mean "
        "(only the signed_sum aggregation takes negative weights)"
    ]
    data["index"].update(weights={"alpha": 0, "beta": 0}, aggregation="arithmetic")
    assert errors_of(data) == ["index.weights: at least one dimension needs a non-zero weight"]
    data = index({"aimai": {"indicators": [indicator("a")]}}, {"aimai": 1})
    assert errors_of(data) == ["dimensions.aimai: aimai is the index itself, not a dimension"]
    with pytest.raises(MethodologyError) as excinfo:
        methodology_load(
            yaml.safe_dump(index({"Big One": {"indicators": [indicator("a")]}}, {"Big One": 1}))
        )
    assert excinfo.value.errors[0].startswith("dimensions: 'Big One' does not match")


def test_low_by_cause_needs_capability_solidarity_and_a_signed_sum():
    data = index(
        {
            "solidarity": {"indicators": [indicator("s")]},
            "burden": {"indicators": [indicator("b")]},
        },
        {"solidarity": 1, "burden": -1},
        low_by_cause=True,
    )
    assert errors_of(data) == [
        "index.low_by_cause: needs the capability and solidarity dimensions (capability missing)"
    ]
    aimai = copy.deepcopy(METHODOLOGY)
    aimai["index"].update(
        low_by_cause=True,
        aggregation="arithmetic",
        weights={"capability": 1, "solidarity": 1, "burden": 1},
    )
    assert errors_of(aimai) == [
        "index.low_by_cause: needs index.aggregation signed_sum (its terms)"
    ]


def test_natural_bounds_must_lie_where_the_transform_is_defined():
    where = "dimensions.income.indicators[0](gni)"
    data = income(bounds_in="natural", goalposts=[0, 75000], cap={"min": -5})
    assert errors_of(data) == [
        f"{where}.goalposts: in natural units under the log transform must be above 0, "
        "not [0, 75000]",
        f"{where}.cap.min: in natural units under the log transform must be above 0, not -5",
    ]
    # on the log scale, 0 is a fine goalpost (ln 1)
    methodology_parse(income(goalposts=[0, 11.5]))
    sqrt = income(bounds_in="natural", goalposts=[-1, 4])
    sqrt["dimensions"]["income"]["indicators"][0]["transform"] = "sqrt"
    assert errors_of(sqrt) == [
        f"{where}.goalposts: in natural units under the sqrt transform must be at least 0, "
        "not [-1, 4]"
    ]


def test_changes_name_added_and_removed_dimensions():
    old = index({"alpha": {"indicators": [indicator("a")]}}, {"alpha": 1})
    new = index(
        {"beta": {"indicators": [indicator("b")]}, "alpha": {"indicators": [indicator("a")]}},
        {"alpha": 1, "beta": 2},
        aggregation="geometric",
    )
    assert methodology_changes(old, new) == [
        "Indicator b added to beta.",
        "index.aggregation: None → 'geometric'.",
        "index.weights.beta: None → 2.",
        "Dimension beta added.",
    ]


def test_effective_weights_and_codes_follow_any_dimensions():
    methodology = methodology_load(HDI.read_text(encoding="utf-8"))
    assert methodology.effective_weights() == pytest.approx(
        {
            "life_expectancy": 1 / 3,
            "expected_years_schooling": 1 / 6,
            "mean_years_schooling": 1 / 6,
            "gni_per_capita_ppp": 1 / 3,
        }
    )
    assert methodology.codes_needed() == set(HDI_DATA["NOR"])


# What the platform publishes and shows --------------------------------------------------------


@pytest.mark.django_db
def test_the_platform_refuses_to_publish_an_index_without_aimai_s_dimensions():
    from aimai_site.errors import DomainError
    from countries.scoring import methodology_version_publish, methodology_version_save

    draft = methodology_version_save(source=HDI.read_text(encoding="utf-8"))
    with pytest.raises(DomainError) as excinfo:
        methodology_version_publish(version=draft)
    assert excinfo.value.message.startswith(
        "Methodology undp-hdi 2023-24 has the dimensions education, health, income; the "
        "platform publishes only indices with AIMAI's three (capability, solidarity, burden)"
    )
    draft.refresh_from_db()
    assert draft.status == "draft"


@pytest.mark.django_db
def test_the_methodology_page_shows_caps_and_the_units_of_bounds(client):
    from countries.scoring import methodology_version_publish, methodology_version_save

    data = yaml.safe_load((SHIPPED / "aimai-default-2.0.yaml").read_text(encoding="utf-8"))
    data["version"] = "2.1"
    publications = data["dimensions"]["capability"]["indicators"][2]
    assert publications["code"] == "ai_publications"
    assert publications["transform"] == "log"
    publications.update(bounds_in="natural", cap={"min": 0.5, "max": 5000})
    odin = data["dimensions"]["solidarity"]["indicators"][0]
    odin["cap"] = {"max": 0.9}
    draft = methodology_version_save(source=yaml.safe_dump(data, sort_keys=False))
    methodology_version_publish(version=draft)
    html = client.get("/methodology/").content.decode()
    assert "capped to 0.5–5,000 (in the indicator’s own units, before the log transform)" in html
    assert "values above 0.9 capped at it; goalposts 0 → 0, 1 → 100" in html
    assert "<h3>Capability <span" in html
