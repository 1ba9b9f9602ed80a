"""The index engine against numbers worked out by hand. No database."""

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from countries.index.aggregate import aggregate
from countries.index.engine import Observation, compute
from countries.index.methodology import GroupSpec, IndicatorSpec, MethodologyError
from countries.index.normalise import cap, normalise, transform
from countries.index.reading import methodology_parse

NAN = np.nan


def spec(**kwargs) -> IndicatorSpec:
    return IndicatorSpec(**{"code": "x", "weight": 1.0, **kwargs})


def test_transforms():
    values = np.array([math.e, 4.0, 0.0, -1.0, NAN])
    np.testing.assert_allclose(transform(values, "log")[:2], [1.0, math.log(4)])
    assert np.isnan(transform(values, "log")[2:]).all()  # log of 0, negative, missing
    np.testing.assert_allclose(transform(values, "sqrt")[1:3], [2.0, 0.0])
    assert np.isnan(transform(values, "sqrt")[3:]).all()


def test_capping_keeps_missing_values_missing():
    out = cap(np.array([-5.0, 5.0, 50.0, NAN]), 0, 10)
    np.testing.assert_array_equal(out[:3], [0.0, 5.0, 10.0])
    assert np.isnan(out[3])


def test_minmax_and_direction():
    values = np.array([10.0, 20.0, 30.0, NAN])
    np.testing.assert_allclose(normalise(values, spec())[:3], [0, 50, 100])
    np.testing.assert_allclose(
        normalise(values, spec(direction="higher_is_less"))[:3], [100, 50, 0]
    )
    assert np.isnan(normalise(values, spec())[3])


def test_fixed_goalposts_clip_outside_values():
    values = np.array([-10.0, 25.0, 75.0, 150.0])
    out = normalise(values, spec(normalisation="goalposts", goalposts=(0.0, 100.0)))
    np.testing.assert_allclose(out, [0, 25, 75, 100])


def test_zscore_is_mapped_to_a_t_score():
    # mean 2, population sd sqrt(2/3): z = -1.2247, 0, 1.2247
    out = normalise(np.array([1.0, 2.0, 3.0]), spec(normalisation="zscore"))
    np.testing.assert_allclose(out, [50 - 12.2474487, 50, 50 + 12.2474487])


def test_percentile_ranks_share_ties():
    out = normalise(np.array([5.0, 1.0, 5.0, 9.0, NAN]), spec(normalisation="percentile"))
    # sorted 1,5,5,9 -> ranks 0, 1.5, 1.5, 3 over n-1 = 3
    np.testing.assert_allclose(out[:4], [50, 0, 50, 100])


def group(*weights, aggregation="arithmetic", min_coverage=0.5) -> GroupSpec:
    return GroupSpec(
        name="g",
        weight=1.0,
        aggregation=aggregation,
        min_coverage=min_coverage,
        indicators=tuple(spec(code=f"i{k}", weight=w) for k, w in enumerate(weights)),
    )


COLUMNS = {"i0": 0, "i1": 1, "i2": 2}


def test_weighted_arithmetic_mean_and_missing_data_rule():
    values = np.array([[40.0, 80.0, 20.0], [40.0, NAN, NAN], [NAN, 60.0, 30.0]])
    result = aggregate(group(2, 1, 1), values, COLUMNS, floor=1.0)
    # (2*40 + 80 + 20) / 4 = 45; row 1 has half the weight: (40) -> 40; row 2: (60+30)/2 = 45
    np.testing.assert_allclose(result.score, [45, 40, 45])
    np.testing.assert_allclose(result.coverage, [1, 0.5, 0.5])
    strict = aggregate(group(2, 1, 1, min_coverage=0.75), values, COLUMNS, floor=1.0)
    assert strict.score[0] == 45
    assert np.isnan(strict.score[1:]).all()  # insufficient data, never 0


def test_weighted_geometric_mean_and_its_log_share_contributions():
    values = np.array([[10.0, 100.0, NAN]])
    result = aggregate(group(1, 1, 1, aggregation="geometric"), values, COLUMNS, floor=1.0)
    # sqrt(10 * 100) = 31.6228; log shares 1/3 and 2/3 of it
    np.testing.assert_allclose(result.score, [math.sqrt(1000)])
    np.testing.assert_allclose(
        result.contributions[0, :2], [math.sqrt(1000) / 3, 2 * math.sqrt(1000) / 3]
    )


def test_nested_groups_contributions_add_up():
    inner = GroupSpec(name="a", weight=1.0, indicators=(spec(code="i0"), spec(code="i1")))
    outer_leaf = GroupSpec(name="b", weight=3.0, indicators=(spec(code="i2"),))
    top = GroupSpec(name="t", weight=1.0, groups=(inner, outer_leaf))
    values = np.array([[20.0, 60.0, 80.0]])
    result = aggregate(top, values, COLUMNS, floor=1.0)
    # inner = 40; top = (1*40 + 3*80) / 4 = 70; i0 gives 20/2/4 = 2.5, i1 7.5, i2 60
    np.testing.assert_allclose(result.score, [70])
    np.testing.assert_allclose(result.contributions[0], [2.5, 7.5, 60])


METHODOLOGY = {
    "slug": "test",
    "version": "1",
    "title": "Test",
    "dimensions": {
        "capability": {"indicators": [{"code": "cap", "weight": 1}]},
        "solidarity": {"indicators": [{"code": "sol", "weight": 1}]},
        "burden": {
            "indicators": [
                {"code": "gdp", "weight": 1, "direction": "higher_is_less", "transform": "log"}
            ]
        },
    },
    "index": {
        "weights": {"capability": -0.5, "solidarity": 1, "burden": -0.5},
        "bridger_min": 10,
        "divider_max": -10,
        "concentration_top_n": 1,
    },
}


def test_the_strong_that_do_not_share_come_out_negative():
    methodology = methodology_parse(METHODOLOGY)
    rows = [
        Observation("BIG", "cap", 2021, 100),
        Observation("BIG", "sol", 2024, 0),
        Observation("BIG", "gdp", 2023, 100_000),
        Observation("GIV", "cap", 2021, 50),
        Observation("GIV", "sol", 2024, 100),
        Observation("GIV", "gdp", 2023, 100_000),
        Observation("POR", "cap", 2021, 0),
        Observation("POR", "sol", 2024, 50),
        Observation("POR", "gdp", 2019, 1_000),
        Observation("POR", "gdp", 2023, 1_000),
        Observation("GAP", "cap", 2021, 10),
    ]
    result = compute(methodology, rows, ["BIG", "GIV", "POR", "GAP"])
    scores = result.by_country()
    # BIG: -0.5*100 + 0 - 0.5*0 = -50; GIV: -25 + 100 - 0 = 75; POR: 0 + 50 - 50 = 0
    assert scores["BIG"].aimai == pytest.approx(-50)
    assert scores["GIV"].aimai == pytest.approx(75)
    assert scores["POR"].aimai == pytest.approx(0)
    assert [scores[c].classification for c in ("BIG", "GIV", "POR")] == [
        "divider",
        "bridger",
        "neutral",
    ]
    assert [scores[c].rank for c in ("GIV", "POR", "BIG")] == [1, 2, 3]
    assert scores["BIG"].concentrated
    assert scores["POR"].years == {"cap": 2021, "sol": 2024, "gdp": 2023}
    # GAP has no solidarity or burden data: no score at all, not a zero
    assert scores["GAP"].aimai is None
    assert scores["GAP"].classification == "insufficient_data"
    assert scores["GAP"].rank is None
    for country in ("BIG", "GIV", "POR"):
        parts = result.contributions[country]["aimai"]
        assert sum(parts.values()) == pytest.approx(scores[country].aimai)


def test_invalid_methodologies_get_located_errors():
    broken = {
        **METHODOLOGY,
        "dimensions": {
            "capability": {"indicators": [{"code": "cap", "weight": -1, "transform": "exp"}]},
            "solidarity": {"indicators": [{"code": "sol", "weight": 1}]},
        },
        "index": {**METHODOLOGY["index"], "bridger_min": -20},
    }
    with pytest.raises(MethodologyError) as excinfo:
        methodology_parse(broken)
    assert excinfo.value.errors == [
        "dimensions.capability.indicators[0](cap).weight: must be positive",
        "dimensions.capability.indicators[0](cap).transform: "
        "must be one of none, log, log1p, sqrt, not 'exp'",
        "dimensions.burden: is missing",
        "index.bridger_min: must be above index.divider_max (-10.0)",
    ]


# whole numbers: a property of the method, not of floating-point underflow
finite = st.integers(min_value=0, max_value=10**6).map(float)


@settings(max_examples=60, deadline=None)
@given(st.lists(finite, min_size=3, max_size=12), st.floats(0.01, 1000), st.floats(-1000, 1000))
def test_minmax_is_scale_invariant(values, scale, shift):
    v = np.array(values)
    if np.ptp(v) == 0:
        return
    np.testing.assert_allclose(
        normalise(v, spec()), normalise(v * scale + shift, spec()), atol=1e-6
    )


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.lists(st.floats(1, 100), min_size=3, max_size=3), min_size=2, max_size=6),
    st.lists(st.floats(0.1, 5), min_size=3, max_size=3),
    st.sampled_from(["arithmetic", "geometric"]),
)
def test_contributions_add_up_and_raising_a_value_never_lowers_the_score(rows, weights, kind):
    values = np.array(rows)
    g = group(*weights, aggregation=kind)
    result = aggregate(g, values, COLUMNS, floor=1.0)
    np.testing.assert_allclose(result.contributions.sum(axis=1), result.score, rtol=1e-9)
    raised = values.copy()
    raised[0, 0] += 10
    assert aggregate(g, raised, COLUMNS, floor=1.0).score[0] >= result.score[0] - 1e-9


def test_the_engine_imports_no_django():
    code = (
        "import sys; import countries.index.engine, countries.index.digest; "
        "assert not [m for m in sys.modules if m.split('.')[0] == 'django'], 'django imported'"
    )
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root)
