"""The bound on what compacts add to the index, as a methodology's rule declares it: when a
compact starts to count, which compacts count, the caps per compact and in all, the located
errors of a rule that is wrong, what the caps mean in AIMAI points, and rules written before the
bound, which keep their values."""

import copy

import pytest
import yaml

from countries.index.computed import (
    COMPACT_COMMITMENTS,
    Commitment,
    CommitmentRule,
    aimai_bound,
)
from countries.index.engine import Observation
from countries.index.methodology import MethodologyError
from countries.index.reading import methodology_load, methodology_parse
from countries.scoring import SHIPPED_DIR

OLD_RULE = {
    "kind_weights": {"compute": 1, "model": 1, "dataset": 1, "know_how": 0.5},
    "amount": "log10",
    "max_factor": 5,
}
BOUND = {
    **OLD_RULE,
    "counted_after": {"confirmed_report": True, "active_days": 180},
    "distinct_organisations": True,
    "per_compact_max": 2,
    "total_max": 5,
}
# a compact that has proved itself: every party confirmed a report, distinct organisations
PROVED = {"progress_confirmed": True, "active_days": 400, "distinct": True}
WHERE = "dimensions.solidarity.indicators[4](compact_commitments).rule"


def commitment(provider="NOR", kind="compute", amount=None, compact="C-1@v1", **facts):
    partner = "NOR" if provider == "KEN" else "KEN"
    return Commitment(provider, (partner,), kind, amount, "", compact, **{**PROVED, **facts})


def value(rows, rule, country="NOR") -> float:
    found = COMPACT_COMMITMENTS.observations(rows, [country], year=2026, rule=rule)
    return found[0].value


def bound_methodology(rule=BOUND) -> dict:
    """The shipped 1.1 file with the bound written in compact_commitments' rule."""
    data = yaml.safe_load((SHIPPED_DIR / "aimai-default-1.1.yaml").read_text())
    data.update(slug="aimai-bound", version="2.0", title="AIMAI with a bound on compacts")
    spec = data["dimensions"]["solidarity"]["indicators"][4]
    assert spec["code"] == "compact_commitments"
    spec["rule"] = copy.deepcopy(rule)
    return data


# --- caps -----------------------------------------------------------------------------------


def test_one_compact_adds_at_most_per_compact_max_to_a_country():
    # 999 GPU-hours count 4, the dataset 1 more: 5 in one compact, capped at 2
    rows = [commitment(amount=999.0), commitment(kind="dataset")]
    assert value(rows, BOUND) == 2.0
    assert value(rows, {**BOUND, "per_compact_max": 10}) == 5.0
    assert value(rows, {k: v for k, v in BOUND.items() if k != "per_compact_max"}) == 5.0
    # the cap is per country: the partner's own commitment in the same compact has its own
    rows.append(commitment(provider="KEN", amount=999.0))
    assert value(rows, BOUND, "KEN") == 2.0
    rule = CommitmentRule.from_data(BOUND)
    assert rule.compact_points(rows) == {("NOR", "C-1@v1"): 2.0, ("KEN", "C-1@v1"): 2.0}


def test_all_compacts_together_add_at_most_total_max_whatever_the_order():
    rows = [commitment(amount=999.0, compact=f"C-{i}@v1") for i in range(4)]  # 2 each
    rows += [commitment(kind="know_how", compact="C-9@v1")]  # 0.5
    assert value(rows, BOUND) == 5.0
    assert value(rows[:2], BOUND) == 4.0
    assert value(rows[:2] + rows[-1:], BOUND) == 4.5
    assert value(rows, {**BOUND, "total_max": 100}) == 8.5
    shuffled = [rows[i] for i in (3, 0, 4, 2, 1)]
    # caps first per compact, then in all, with exact sums: the order of the rows is no matter
    odd = {**BOUND, "per_compact_max": 0.7, "total_max": 100}
    assert value(shuffled, odd) == value(rows, odd) == pytest.approx(4 * 0.7 + 0.5)


# --- when a compact starts to count --------------------------------------------------------


@pytest.mark.parametrize(
    ("confirmed", "days", "counted"),
    [
        (False, 0, False),  # activated minutes ago: nothing
        (False, 179, False),
        (False, 180, True),  # active long enough
        (True, 0, True),  # every party confirmed a report
        (True, 500, True),
    ],
)
def test_a_compact_counts_once_a_report_is_confirmed_or_it_was_active_long_enough(
    confirmed, days, counted
):
    rows = [commitment(progress_confirmed=confirmed, active_days=days)]
    assert value(rows, BOUND) == (1.0 if counted else 0.0)


def test_each_condition_of_counted_after_alone_is_all_there_is():
    fresh_but_confirmed = [commitment(progress_confirmed=True, active_days=0)]
    old_unconfirmed = [commitment(progress_confirmed=False, active_days=365)]
    reports_only = {**BOUND, "counted_after": {"confirmed_report": True}}
    assert value(fresh_but_confirmed, reports_only) == 1.0
    assert value(old_unconfirmed, reports_only) == 0.0
    days_only = {**BOUND, "counted_after": {"active_days": 180}}
    assert value(fresh_but_confirmed, days_only) == 0.0
    assert value(old_unconfirmed, days_only) == 1.0
    # written false, the report condition is not one: only the days count
    days_and_no_report = {**BOUND, "counted_after": {"confirmed_report": False, "active_days": 30}}
    assert value(fresh_but_confirmed, days_and_no_report) == 0.0


def test_organisations_that_are_not_distinct_count_nothing():
    rows = [commitment(distinct=False)]
    assert value(rows, BOUND) == 0.0
    assert value(rows, {**BOUND, "distinct_organisations": False}) == 1.0
    assert value(rows, {k: v for k, v in BOUND.items() if k != "distinct_organisations"}) == 1.0


# --- rules written before the bound ---------------------------------------------------------


def test_a_rule_without_the_bound_counts_every_active_compact_as_before():
    # rows that fail every condition of the bound: fresh, unconfirmed, not distinct
    fresh = {"progress_confirmed": False, "active_days": 0, "distinct": False}
    rows = [commitment(amount=999.0, compact=f"C-{i}@v1", **fresh) for i in range(3)]
    rows.append(Commitment("NOR", ("KEN",), "know_how"))  # facts left at their defaults
    assert value(rows, OLD_RULE) == 3 * 4.0 + 0.5
    assert value(rows, BOUND) == 0.0
    rule = CommitmentRule.from_data(OLD_RULE)
    assert (rule.per_compact_max, rule.total_max, rule.active_days) == (None, None, None)
    assert not rule.confirmed_report
    assert not rule.distinct_organisations
    assert not rule.waits


def test_the_shipped_rules_and_their_words_are_unchanged():
    for name in ("aimai-default-1.1.yaml",):
        methodology = methodology_load((SHIPPED_DIR / name).read_text())
        spec = next(s for s in methodology.indicators() if s.code == "compact_commitments")
        assert spec.rule == OLD_RULE
    assert COMPACT_COMMITMENTS.rule_text(OLD_RULE) == (
        "Points per commitment by kind: compute 1, open model 1, dataset 1, know-how 0.5 (other "
        "kinds 0). With an amount, × (1 + log₁₀(1 + amount)), at most × 5. Only commitments in "
        "active compacts with a partner in another country count; a country with none counts 0."
    )


# --- the rule's errors, located --------------------------------------------------------------


def test_a_bound_that_is_wrong_gets_located_errors():
    data = bound_methodology(
        {
            **OLD_RULE,
            "counted_after": {"confirmed_report": "yes", "active_days": 0, "when": "later"},
            "distinct_organisations": 1,
            "per_compact_max": 0,
            "total_max": -5,
        }
    )
    with pytest.raises(MethodologyError) as excinfo:
        methodology_parse(data)
    assert excinfo.value.errors == [
        f"{WHERE}.counted_after.when: is not a condition (confirmed_report, active_days)",
        f"{WHERE}.counted_after.confirmed_report: must be true or false, not 'yes'",
        f"{WHERE}.counted_after.active_days: must be a whole number from 1 to 3650, not 0",
        f"{WHERE}.distinct_organisations: must be true or false, not 1",
        f"{WHERE}.per_compact_max: must be above 0",
        f"{WHERE}.total_max: must be above 0",
    ]
    data = bound_methodology({**OLD_RULE, "counted_after": {"confirmed_report": False}})
    with pytest.raises(MethodologyError) as excinfo:
        methodology_parse(data)
    assert excinfo.value.errors == [
        f"{WHERE}.counted_after: needs confirmed_report: true or active_days (or leave it out)"
    ]
    data = bound_methodology({**OLD_RULE, "total_max": "5", "counted_after": []})
    with pytest.raises(MethodologyError) as excinfo:
        methodology_parse(data)
    assert excinfo.value.errors == [
        f"{WHERE}.counted_after: must be a mapping, not []",
        f"{WHERE}.total_max: must be a finite number, not '5'",
    ]


def test_the_schema_knows_the_bound_and_locates_its_errors():
    assert methodology_load(yaml.safe_dump(bound_methodology())).indicators()[6].rule == BOUND
    data = bound_methodology({**BOUND, "counted_after": {"active_days": 1.5}, "total_max": 0})
    with pytest.raises(MethodologyError) as excinfo:
        methodology_load(yaml.safe_dump(data))
    assert excinfo.value.errors == [
        f"{WHERE}.counted_after.active_days: 1.5 is not of type 'integer'",
        f"{WHERE}.total_max: 0 is less than or equal to the minimum of 0",
    ]


# --- what the caps mean in AIMAI points ------------------------------------------------------


def test_the_aimai_bound_follows_the_weights_the_scale_and_the_coverage():
    # 5 points of 10 on the goalposts: 50; weight 0.5 of solidarity's 4.5; index weight 1.125
    bound = aimai_bound(methodology_parse(bound_methodology()), "compact_commitments")
    assert bound.dimension == "solidarity"
    assert bound.full == pytest.approx(1.125 * 0.5 / 4.5 * 50) == pytest.approx(6.25)
    # at the minimum coverage, half of solidarity's weight: 2.25
    assert bound.at_min_coverage == pytest.approx(1.125 * 0.5 / 2.25 * 50) == pytest.approx(12.5)
    assert (bound.min_coverage, bound.top) == (0.5, 5.0)
    # without total_max, the top of the scale: 1.1's "commitments can add up to 12.5 points"
    old = aimai_bound(methodology_parse(bound_methodology(OLD_RULE)), "compact_commitments")
    assert (old.full, old.at_min_coverage, old.top) == (pytest.approx(12.5), pytest.approx(25), 10)
    # a cap above the top of the scale adds nothing past it
    high = aimai_bound(
        methodology_parse(bound_methodology({**BOUND, "total_max": 50})), "compact_commitments"
    )
    assert high.full == pytest.approx(12.5)


def test_the_aimai_bound_is_refused_where_none_holds():
    data = bound_methodology()
    parsed = methodology_parse(data)
    with pytest.raises(ValueError, match="not in the methodology"):
        aimai_bound(parsed, "satellites")
    data["dimensions"]["solidarity"]["aggregation"] = "geometric"
    with pytest.raises(ValueError, match="geometric"):
        aimai_bound(methodology_parse(data), "compact_commitments")


def test_the_rule_in_words_states_the_bound_in_indicator_and_aimai_points():
    methodology = methodology_parse(bound_methodology())
    text = COMPACT_COMMITMENTS.rule_text(BOUND, methodology)
    assert (
        "A compact counts only once every party has confirmed one of its progress reports, or "
        "once it has been active 180 days (counted when the scores are computed)."
    ) in text
    assert "every party's organisation is verified and no person is a member of two" in text
    assert (
        "Compacts can add at most 2 points per compact and 5 in all to the indicator: at most "
        "6.25 AIMAI points for a country (12.5 where only half of solidarity is measured)."
    ) in text
    # without the methodology, the caps in indicator points only
    assert text.startswith(COMPACT_COMMITMENTS.rule_text(BOUND).removesuffix("."))
    assert "AIMAI" not in COMPACT_COMMITMENTS.rule_text(BOUND)
    # a rule without caps: the top of the scale is the only bound
    old = COMPACT_COMMITMENTS.rule_text(OLD_RULE, methodology_parse(bound_methodology(OLD_RULE)))
    assert old.endswith(
        "Compacts can add at most 10 points to the indicator, the top of its scale: at most "
        "12.5 AIMAI points for a country (25 where only half of solidarity is measured)."
    )
    one = {**OLD_RULE, "per_compact_max": 1, "counted_after": {"active_days": 1}}
    assert COMPACT_COMMITMENTS.rule_text(one).endswith(
        "once it has been active 1 day (counted when the scores are computed). One compact can "
        "add at most 1 point to the indicator."
    )


def test_rows_at_the_top_give_exactly_the_top_value():
    # the cap is what the engine computes for a country with many proved compacts
    rows = [commitment(amount=1e6, compact=f"C-{i}@v1") for i in range(10)]
    assert COMPACT_COMMITMENTS.observations(rows, ["NOR", "KEN"], year=2026, rule=BOUND) == [
        Observation("KEN", "compact_commitments", 2026, 0.0),
        Observation("NOR", "compact_commitments", 2026, 5.0),
    ]
