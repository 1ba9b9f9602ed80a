"""The classes AIMAI gives, worked out by hand: a low AIMAI says why it is low, and complete
lists count their absentees as 0 only where the methodology says so. No database."""

import math

import numpy as np
import pytest

from countries.index.engine import Observation, compute
from countries.index.methodology import MethodologyError
from countries.index.normalise import transform
from countries.index.reading import methodology_parse


def methodology(low_by_cause: bool = True, absent: str | None = None) -> dict:
    """One indicator per dimension, each already on 0-100; AIMAI = -1.5 C + 1.5 S - 0.5 B."""

    def one(code: str) -> dict:
        return {
            "indicators": [
                {"code": code, "weight": 1, "normalisation": "goalposts", "goalposts": [0, 100]}
            ]
        }

    definition = {
        "slug": "t",
        "version": "1",
        "title": "t",
        "dimensions": {"capability": one("cap"), "solidarity": one("sol"), "burden": one("bur")},
        "index": {
            "weights": {"capability": -1.5, "solidarity": 1.5, "burden": -0.5},
            "bridger_min": 10,
            "divider_max": -10,
            "low_by_cause": low_by_cause,
        },
        "sensitivity": {"draws": 0},
    }
    if absent:
        definition["dimensions"]["capability"]["indicators"].append(
            {"code": "list", "weight": 1, "normalisation": "goalposts", "goalposts": [0, 1]}
            | {"absent": absent}
        )
    return definition


# country: (capability, solidarity, burden), each already 0-100
CASES = {
    # -135 + 60 - 5 = -80: capability not matched by sharing (-75) pulls harder than
    # burdens (-5), and capability 90 is above the median (40)
    "CON": (90, 40, 10),
    # -30 + 45 - 40 = -25: sharing exceeds capability (+15); burdens pull it down (-40)
    "BUR": (20, 30, 80),
    # -45 + 15 - 10 = -40: sharing falls short (-30) more than burdens (-10), but capability
    # 30 is below the median: little to concentrate, so burdened, not a divider
    "LOW": (30, 10, 20),
    "BRI": (50, 70, 10),  # -75 + 105 - 5 = 25
    "NEU": (40, 40, 10),  # 0 - 5 = -5
}
EXPECTED_AIMAI = {"CON": -80, "BUR": -25, "LOW": -40, "BRI": 25, "NEU": -5}


def rows(cases: dict) -> list[Observation]:
    found = []
    for country, values in cases.items():
        for code, value in zip(("cap", "sol", "bur"), values, strict=True):
            if value is not None:
                found.append(Observation(country, code, 2025, float(value)))
    return found


def classes(definition: dict, cases: dict) -> dict:
    result = compute(methodology_parse(definition), rows(cases), cases, sensitivity=False)
    return {s.country: (s.aimai, s.classification) for s in result.scores}


def test_a_low_aimai_is_named_by_its_cause():
    found = classes(methodology(), CASES | {"GAP": (50, 50, None)})
    assert {c: v[0] for c, v in found.items() if c != "GAP"} == pytest.approx(EXPECTED_AIMAI)
    assert {c: v[1] for c, v in found.items()} == {
        "CON": "concentration",
        "BUR": "burdened",
        "LOW": "burdened",
        "BRI": "bridger",
        "NEU": "neutral",
        "GAP": "insufficient_data",
    }


def test_without_the_rule_every_low_aimai_is_a_divider():
    found = classes(methodology(low_by_cause=False), CASES)
    assert [c for c, (_, label) in found.items() if label == "divider"] == ["BUR", "CON", "LOW"]


def test_the_rule_must_be_a_yes_or_no():
    definition = methodology()
    definition["index"]["low_by_cause"] = "sometimes"
    with pytest.raises(MethodologyError) as excinfo:
        methodology_parse(definition)
    assert excinfo.value.errors == ["index.low_by_cause: must be true or false, not 'sometimes'"]


def test_a_complete_list_counts_its_absentees_as_zero_only_when_told():
    cases = {"ONE": (50, 50, 50), "TWO": (50, 50, 50)}
    listed = [Observation("ONE", "list", 2024, 1.0)]
    for absent, two in (("zero", 25.0), ("missing", 50.0)):
        parsed = methodology_parse(methodology(absent=absent))
        result = compute(parsed, rows(cases) + listed, cases, sensitivity=False).by_country()
        assert result["ONE"].capability == 75  # (50 + 100) / 2
        assert result["TWO"].capability == two  # (50 + 0) / 2, or 50 alone
    # the 0 is dated with the list's year and shown as a value, not a gap
    assert result["TWO"].values.get("list") is None
    zero = compute(
        methodology_parse(methodology(absent="zero")),
        rows(cases) + listed,
        cases,
        sensitivity=False,
    ).by_country()["TWO"]
    assert zero.values["list"] == 0.0
    assert zero.years["list"] == 2024


def test_a_list_with_no_rows_stays_missing_even_when_complete():
    cases = {"ONE": (50, 50, 50)}
    result = compute(
        methodology_parse(methodology(absent="zero")), rows(cases), cases, sensitivity=False
    )
    assert result.by_country()["ONE"].capability == 50  # no row at all: no list, no zeros


def test_log1p_keeps_zero_counts():
    out = transform(np.array([0.0, math.e - 1, -1.0, np.nan]), "log1p")
    np.testing.assert_allclose(out[:2], [0.0, 1.0])
    assert np.isnan(out[2:]).all()
