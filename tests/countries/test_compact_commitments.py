"""The compact_commitments indicator: its rule worked by hand, its place in the methodology file,
and the checks that keep a rule where it belongs."""

import copy
import math

import pytest
import yaml

from aimai_site.errors import DomainError
from countries.index.computed import (
    COMPACT_COMMITMENTS,
    COMPUTED_INDICATORS,
    Commitment,
    CommitmentRule,
)
from countries.index.engine import Observation
from countries.index.methodology import MethodologyError
from countries.index.reading import methodology_load, methodology_parse
from countries.scoring import SHIPPED_DIR, methodology_version_publish, methodology_version_save

RULE = {
    "kind_weights": {"compute": 1, "model": 1, "dataset": 1, "know_how": 0.5},
    "amount": "log10",
    "max_factor": 5,
}
COMMITMENTS = [
    # 999 GPU-hours: 1 + log10(1 + 999) = 4 -> 1 x 4
    Commitment("DEU", ("KEN",), "compute", 999.0, "GPU-hours", "C-1@v1"),
    # know-how without an amount: its weight, 0.5
    Commitment("DEU", ("KEN",), "know_how", None, "", "C-1@v1"),
    # a compact of German organisations only: not solidarity across borders, 0
    Commitment("DEU", ("DEU",), "dataset", 9.0, "TB", "C-2@v1"),
    # one giant offer: 1 + log10(1 + 10^6) = 7.0000004, capped at 5
    Commitment("FRA", ("DEU", "FRA"), "model", 1e6, "downloads", "C-3@v1"),
    # an amount of 0 multiplies by 1; the partner is in Germany
    Commitment("KEN", ("DEU",), "dataset", 0.0, "hours", "C-1@v1"),
    # a kind the rule does not list counts 0
    Commitment("NOR", ("KEN",), "satellite", 100.0, "images", "C-4@v1"),
]
COUNTRIES = ["BRA", "DEU", "FRA", "KEN", "NOR"]


def values(rows) -> dict[str, float]:
    return {row.country: row.value for row in rows}


def test_weights_log_scaling_and_the_other_country_rule_worked_by_hand():
    rows = COMPACT_COMMITMENTS.observations(COMMITMENTS, COUNTRIES, year=2026, rule=RULE)
    assert rows == [
        Observation("BRA", "compact_commitments", 2026, 0.0),  # no commitment: 0
        Observation("DEU", "compact_commitments", 2026, 4.5),
        Observation("FRA", "compact_commitments", 2026, 5.0),
        Observation("KEN", "compact_commitments", 2026, 1.0),
        Observation("NOR", "compact_commitments", 2026, 0.0),
    ]


def test_the_rule_parameters_change_the_values_as_written():
    uncapped = {**RULE, "max_factor": None}
    found = values(
        COMPACT_COMMITMENTS.observations(COMMITMENTS, COUNTRIES, year=2026, rule=uncapped)
    )
    assert found["FRA"] == pytest.approx(1 + math.log10(1 + 1e6))
    ignored = {"kind_weights": RULE["kind_weights"], "amount": "none"}
    found = values(
        COMPACT_COMMITMENTS.observations(COMMITMENTS, COUNTRIES, year=2026, rule=ignored)
    )
    assert found == {"BRA": 0.0, "DEU": 1.5, "FRA": 1.0, "KEN": 1.0, "NOR": 0.0}
    rule = CommitmentRule.from_data(RULE)
    assert rule.factor(None) == rule.factor(0) == 1.0
    assert rule.factor(9) == pytest.approx(2.0)
    assert rule.points(Commitment("DEU", (), "compute", 99.0)) == 0.0  # no partner at all


def test_only_scored_countries_get_a_row_and_the_order_of_the_registry_does_not_matter():
    forward = COMPACT_COMMITMENTS.observations(COMMITMENTS, ["KEN", "DEU"], year=2025, rule=RULE)
    backward = COMPACT_COMMITMENTS.observations(
        COMMITMENTS[::-1], ["DEU", "KEN", "DEU"], year=2025, rule=RULE
    )
    assert forward == backward
    assert [(row.country, row.year) for row in forward] == [("DEU", 2025), ("KEN", 2025)]
    # an empty registry: every scored country counts 0
    empty = COMPACT_COMMITMENTS.observations([], ["KEN"], year=2026, rule=RULE)
    assert empty == [Observation("KEN", "compact_commitments", 2026, 0.0)]


def test_without_a_rule_there_is_nothing_to_compute():
    with pytest.raises(ValueError, match="needs a rule"):
        COMPACT_COMMITMENTS.observations(COMMITMENTS, COUNTRIES, year=2026, rule=None)
    assert COMPUTED_INDICATORS["compact_commitments"] is COMPACT_COMMITMENTS
    assert COMPACT_COMMITMENTS.reads == "commitments"
    assert COMPUTED_INDICATORS["ai_governance_commitments"].reads == "observations"


def test_the_rule_in_words_follows_the_file():
    text = COMPACT_COMMITMENTS.rule_text(RULE)
    assert "compute 1, open model 1, dataset 1, know-how 0.5" in text
    assert "× (1 + log₁₀(1 + amount)), at most × 5." in text
    assert "partner in another country" in text
    assert "amount" not in COMPACT_COMMITMENTS.rule_text({**RULE, "amount": "none"})
    assert "cannot be published" in COMPACT_COMMITMENTS.rule_text(None)


def default_1_1() -> dict:
    return yaml.safe_load((SHIPPED_DIR / "aimai-default-1.1.yaml").read_text())


def commitments_spec(data: dict) -> dict:
    return next(
        item
        for item in data["dimensions"]["solidarity"]["indicators"]
        if item["code"] == "compact_commitments"
    )


def test_the_new_default_version_writes_the_rule_and_keeps_the_earlier_weights():
    methodology = methodology_load((SHIPPED_DIR / "aimai-default-1.1.yaml").read_text())
    earlier = methodology_load((SHIPPED_DIR / "aimai-default.yaml").read_text())
    assert (methodology.slug, methodology.version, earlier.version) == (
        "aimai-default",
        "1.1",
        "1.0",
    )
    spec = next(s for s in methodology.indicators() if s.code == "compact_commitments")
    assert spec.rule == RULE
    assert spec.weight == 0.5

    # each earlier solidarity indicator weighs in AIMAI exactly what it weighed in 1.0:
    # index weight x its share of the dimension, 1.125 x 1 / 4.5 = 1 x 1 / 4
    def in_aimai(m, code: str) -> float:
        leaves = m.dimensions["solidarity"].leaves()
        weight = next(leaf.weight for leaf in leaves if leaf.code == code)
        return m.index_weights["solidarity"] * weight / sum(leaf.weight for leaf in leaves)

    for code in ("oda_gni", "github_repositories", "gdb_score", "ai_governance_commitments"):
        assert in_aimai(methodology, code) == pytest.approx(in_aimai(earlier, code)) == 0.25
    assert in_aimai(methodology, "compact_commitments") == pytest.approx(0.125)
    assert methodology.index_weights == {**earlier.index_weights, "solidarity": 1.125}


def test_a_rule_gets_located_errors():
    data = default_1_1()
    commitments_spec(data)["rule"] = {
        "kind_weights": {"compute": -1},
        "amount": "sqrt",
        "max_factor": 0.5,
    }
    with pytest.raises(MethodologyError) as excinfo:
        methodology_parse(data)
    where = "dimensions.solidarity.indicators[4](compact_commitments).rule"
    assert excinfo.value.errors == [
        f"{where}.kind_weights.compute: must not be negative",
        f"{where}.kind_weights: at least one kind needs a positive weight",
        f"{where}.amount: must be one of none, log10, not 'sqrt'",
        f"{where}.max_factor: must be at least 1",
    ]
    data = default_1_1()
    commitments_spec(data)["rule"]["per_country"] = True
    with pytest.raises(MethodologyError) as excinfo:
        methodology_load(yaml.safe_dump(data))
    assert excinfo.value.errors == [
        "dimensions.solidarity.indicators[4](compact_commitments).rule: Additional properties "
        "are not allowed ('per_country' was unexpected)"
    ]


@pytest.mark.django_db
def test_publishing_refuses_a_rule_where_none_belongs_and_none_where_one_is_needed():
    data = default_1_1()
    data["version"] = "9.1"
    no_rule = copy.deepcopy(data)
    del commitments_spec(no_rule)["rule"]
    draft = methodology_version_save(source=yaml.safe_dump(no_rule))
    with pytest.raises(DomainError, match="compact_commitments needs a rule with kind_weights"):
        methodology_version_publish(version=draft)
    data["version"] = "9.2"
    data["dimensions"]["solidarity"]["indicators"][2]["rule"] = RULE
    draft = methodology_version_save(source=yaml.safe_dump(data))
    with pytest.raises(DomainError, match="gdb_score takes no rule"):
        methodology_version_publish(version=draft)
