"""Compacts feed the index: an active compact moves its countries' compact_commitments and their
solidarity once the index is recomputed; unfinished and ended ones do not; the bundle still
reproduces.

The headline methodology, aimai-default 2.0, bounds compacts (see test_indicator_bound.py): a
compact counts only once every party confirmed a progress report (or after 180 days active), and
adds at most `per_compact_max` points. So the tests here confirm a report before they expect
points, and check that activation alone moves nothing."""

import math
import subprocess
import sys
from dataclasses import replace

import pytest
from django.utils import timezone

from aimai_site.models import OutboxJob
from compacts import services
from compacts.indicator import commitment_rows, compacts_counted_for, headline_rule
from countries.index.computed import Commitment
from countries.models import Score, ScoreSet
from countries.scoring import index_recompute, score_set_bundle, score_set_inputs
from countries.tasks import recompute_index_task
from registry.models import Entry
from tests.compacts.conftest import compact_ready, report_confirmed
from tests.compacts.test_services import _activate
from tests.conftest import ROOT

# the bound of compact_commitments in aimai-default 2.0 (countries/methodologies/)
HEADLINE_BOUND = {
    "counted_after": {"confirmed_report": True, "active_days": 180},
    "distinct_organisations": True,
    "per_compact_max": 1,
    "total_max": 4,
}
# the cast's compact: Germany commits 5,000 GPU-hours (compute, weight 1, 1 + log10(1 + amount)
# up to max_factor 5), Kenya a dataset (weight 1, no amount: factor 1); each capped per compact
PER_COMPACT_MAX = HEADLINE_BOUND["per_compact_max"]
GERMANY = min(PER_COMPACT_MAX, 1 * min(5, 1 + math.log10(1 + 5000)))  # 4.699 capped to 1
KENYA = min(PER_COMPACT_MAX, 1 * 1.0)  # 1
# AIMAI moves by the solidarity weight of the headline's index times the change in solidarity
SOLIDARITY_WEIGHT = 1.5


def current() -> ScoreSet:
    return ScoreSet.objects.for_methodology("aimai-default").current()


def score(score_set: ScoreSet, iso3: str) -> Score:
    return score_set.scores.get(country__iso3=iso3)


def activated(cast, django_capture_on_commit_callbacks):
    """The cast's compact taken to active; the recompute it queues runs on commit."""
    with django_capture_on_commit_callbacks(execute=True):
        return _activate(cast, compact_ready(cast))


def progress_confirmed(cast, compact, django_capture_on_commit_callbacks):
    """A progress report of the cast's compact filed by the provider and confirmed by the
    steward, so every party confirmed it; the recompute its verification queues runs on
    commit."""
    with django_capture_on_commit_callbacks(execute=True):
        return report_confirmed(compact, cast.provider_owner, cast.steward_owner)


def counting(cast, django_capture_on_commit_callbacks):
    """The cast's compact active with its progress confirmed: it counts under the headline."""
    compact = activated(cast, django_capture_on_commit_callbacks)
    progress_confirmed(cast, compact, django_capture_on_commit_callbacks)
    return compact


def test_the_headline_bounds_compacts(db):
    rule = headline_rule()
    assert current().methodology_version.version == "2.0"
    assert {key: rule[key] for key in HEADLINE_BOUND} == HEADLINE_BOUND
    weights = current().methodology_version.definition["index"]["weights"]
    assert weights["solidarity"] == SOLIDARITY_WEIGHT


def test_an_active_compact_moves_its_countries_after_the_recompute(
    cast, django_capture_on_commit_callbacks, eager_tasks
):
    before = current()
    assert score(before, "DEU").values["compact_commitments"] == 0.0
    compact = activated(cast, django_capture_on_commit_callbacks)
    # just activated, no report confirmed; two verified organisations with no member in common
    facts = {"progress_confirmed": False, "active_days": 0, "distinct": True}
    rows = [
        Commitment(
            "DEU", ("KEN",), "compute", 5000.0, "GPU-hours per month", compact.reference, **facts
        ),
        Commitment("KEN", ("DEU",), "dataset", None, "", compact.reference, **facts),
    ]
    assert commitment_rows() == rows
    # the headline's bound: activation alone moves nothing
    assert current() == before
    assert score(current(), "DEU").values["compact_commitments"] == 0.0
    # every party confirmed a progress report: its verification rescores, and now it counts
    progress_confirmed(cast, compact, django_capture_on_commit_callbacks)
    confirmed = {"progress_confirmed": True, "active_days": 0, "distinct": True}
    assert commitment_rows() == [replace(row, **confirmed) for row in rows]
    after = current()
    assert after != before
    assert after.methodology_version == before.methodology_version
    germany, old = score(after, "DEU"), score(before, "DEU")
    assert germany.values["compact_commitments"] == pytest.approx(GERMANY)
    assert germany.normalised["compact_commitments"] == pytest.approx(GERMANY * 10)
    assert score(after, "KEN").values["compact_commitments"] == KENYA
    assert score(after, "FRA").values["compact_commitments"] == 0.0
    # the whole change in solidarity is the new indicator's contribution; AIMAI gets the
    # solidarity weight times it
    part = germany.contributions["solidarity"]["compact_commitments"]
    assert part > 0
    assert germany.solidarity - old.solidarity == pytest.approx(part)
    assert germany.aimai - old.aimai == pytest.approx(SOLIDARITY_WEIGHT * part)
    assert germany.capability == old.capability
    assert germany.burden == old.burden
    # the rows are stored with the score set, so its inputs rebuild to the same digest
    assert ["DEU", "compact_commitments", 2026, pytest.approx(GERMANY)] in after.inputs["computed"]
    assert score_set_inputs(after)  # raises when the rebuilt inputs miss the digest


def test_the_country_page_gets_the_compacts_that_count(cast, django_capture_on_commit_callbacks):
    assert compacts_counted_for("DEU") == []
    compact = activated(cast, django_capture_on_commit_callbacks)
    assert compacts_counted_for("DEU") == []  # not before every party confirmed progress
    progress_confirmed(cast, compact, django_capture_on_commit_callbacks)
    germany = compacts_counted_for("deu")
    assert germany == [compact]
    assert germany[0].points == pytest.approx(GERMANY)
    assert [(c, c.points) for c in compacts_counted_for("KEN")] == [(compact, KENYA)]
    assert compacts_counted_for("FRA") == []
    # under a rule that gives data nothing, Kenya's commitment moves nothing
    rule = {**headline_rule(), "kind_weights": {"compute": 1}}
    assert compacts_counted_for("KEN", rule=rule) == []


def test_unfinished_compacts_count_nothing(cast):
    compact = compact_ready(cast)
    services.compact_transition(user=cast.provider_owner, compact=compact, action="propose")
    assert commitment_rows() == []
    assert [created for _, created in index_recompute()] == [False, False]
    assert compacts_counted_for("DEU") == []


def test_ended_and_example_compacts_count_nothing(cast, django_capture_on_commit_callbacks):
    compact = activated(cast, django_capture_on_commit_callbacks)
    assert commitment_rows()
    compact.example = True
    compact.save(update_fields=["example"])
    assert commitment_rows() == []
    compact.example = False
    compact.save(update_fields=["example"])
    earlier = list(OutboxJob.objects.values_list("pk", flat=True))
    services.compact_transition(
        user=cast.provider_owner, compact=compact, action="terminate", reason="Funds cut."
    )
    # terminating records a recompute of the index (and the parties' e-mail) with the change
    recorded = OutboxJob.objects.exclude(pk__in=earlier).values_list("task", flat=True)
    assert list(recorded).count(recompute_index_task.name) == 1
    assert commitment_rows() == []
    assert compacts_counted_for("DEU") == []


def test_a_compact_between_organisations_of_one_country_counts_nothing(
    cast, django_capture_on_commit_callbacks
):
    from countries.models import Country

    cast.steward.country = Country.objects.get(iso3="DEU")
    cast.steward.save(update_fields=["country"])
    activated(cast, django_capture_on_commit_callbacks)
    assert {row.provider for row in commitment_rows()} == {"DEU"}
    assert compacts_counted_for("DEU") == []
    score_set, _ = index_recompute(slug="aimai-default")[0]
    assert score(score_set, "DEU").values["compact_commitments"] == 0.0


def test_the_bundle_with_a_compact_reproduces_outside_the_site(
    cast, django_capture_on_commit_callbacks, eager_tasks, tmp_path
):
    counting(cast, django_capture_on_commit_callbacks)
    score_set = current()
    assert score(score_set, "DEU").values["compact_commitments"] > 0
    bundle = tmp_path / "bundle.zip"
    bundle.write_bytes(score_set_bundle(score_set))
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    run = subprocess.run(
        [sys.executable, "-m", "countries.index.reproduce", str(bundle)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"identical: score set {score_set.digest}" in run.stdout


def test_ending_a_compact_takes_its_points_back_at_once(
    cast, django_capture_on_commit_callbacks, eager_tasks
):
    before = current()
    compact = counting(cast, django_capture_on_commit_callbacks)
    counted = current()
    assert score(counted, "DEU").values["compact_commitments"] == pytest.approx(GERMANY)
    moment = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        services.compact_transition(
            user=cast.provider_owner, compact=compact, action="terminate", reason="Funds cut."
        )
    # the inputs are back to those of the earlier set: that set is current again, as logged,
    # and the day's history still says which set was current before
    assert current() == before
    assert score(current(), "DEU").values["compact_commitments"] == 0.0
    assert Entry.objects.filter(event="score_set.published", identifier=before.digest).count() == 2
    headline = ScoreSet.objects.for_methodology(before.methodology_version.methodology.slug)
    assert headline.as_of(moment).current() == counted
