"""Score sets on the shipped data: stored whole, never changed, reproducible, explained."""

import io
import json
import subprocess
import sys
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from aimai_site.errors import DomainError
from countries.index.bundle import digests, recompute
from countries.models import Methodology, MethodologyVersion, Score, ScoreSet
from countries.scoring import (
    SHIPPED_DIR,
    index_recompute,
    methodology_headline_set,
    methodology_version_publish,
    methodology_version_save,
    score_set_bundle,
    score_set_inputs,
    shipped_methodologies_load,
)
from tests.conftest import ROOT

pytestmark = pytest.mark.django_db


def current(slug: str) -> ScoreSet:
    return ScoreSet.objects.for_methodology(slug).current()


def scored(score_set: ScoreSet) -> list[Score]:
    return list(score_set.scores.exclude(aimai=None).select_related("country"))


def history(version: str, slug: str = "aimai-default") -> ScoreSet:
    """The score set of a 1.x version on the demo release, kept as history."""
    return ScoreSet.objects.get(
        methodology_version__methodology__slug=slug,
        methodology_version__version=version,
        release__slug="demo-2026-11",
    )


def test_both_shipped_methodologies_score_the_world_release_and_keep_the_demo_history():
    for slug in ("aimai-default", "aimai-bridgers"):
        score_set = current(slug)
        assert score_set.release.slug == "world-2026"
        assert score_set.methodology_version.version == "2.0"
        assert len(scored(score_set)) == 184
        assert score_set.scores.count() == len(score_set.outputs["scores"])
    assert Methodology.objects.headline().slug == "aimai-default"
    # the demo release's score sets remain, whole, as history
    shipped = (("1.0", "aimai-default"), ("1.1", "aimai-default"), ("1.0", "aimai-bridgers"))
    for version, slug in shipped:
        score_set = history(version, slug)
        assert len(scored(score_set)) == 61
        assert score_set.scores.count() == len(score_set.outputs["scores"])


def strongest(score_set: ScoreSet) -> tuple[list[Score], list[Score]]:
    """The set's scored countries and the 15 of them with the highest capability."""
    scores = scored(score_set)
    return scores, sorted(scores, key=lambda s: -s.capability)[:15]


def test_under_the_default_the_strongest_that_share_little_come_out_negative():
    scores, top15 = strongest(current("aimai-default"))
    negative = {s.country.iso3 for s in top15 if s.aimai < 0}
    # under 2.0 only the Netherlands, of the 15, shares enough to stay above zero
    assert len(negative) == 14
    assert {s.country.iso3 for s in top15} - negative == {"NLD"}
    # and a low AIMAI is named by its cause: for the two leaders, concentration
    by_iso3 = {s.country.iso3: s for s in scores}
    assert by_iso3["USA"].classification == by_iso3["CHN"].classification == "concentration"
    assert all(s.concentrated for s in top15)
    assert sum(s.concentrated for s in scores) == 15
    # and the alternative, where capability counts for a country, ranks the USA first
    bridgers = {s.country.iso3: s for s in scored(current("aimai-bridgers"))}
    assert bridgers["USA"].rank == 1


def test_the_demo_history_keeps_what_version_1_1_said_of_the_strongest():
    scores, top15 = strongest(history("1.1"))
    negative = {s.country.iso3 for s in top15 if s.aimai < 0}
    assert {"USA", "CHN"} <= negative
    # 10 under version 1.0; version 1.1's compact_commitments is 0 everywhere in the demo data,
    # which takes Singapore (a gap in its solidarity data) from +4.7 to -1.8
    assert len(negative) == 11
    assert len({s.country.iso3 for s in strongest(history("1.0"))[1] if s.aimai < 0}) == 10
    assert {s.classification for s in top15 if s.aimai <= -10} == {"divider"}
    assert all(s.concentrated for s in top15)
    assert sum(s.concentrated for s in scores) == 15


def test_contributions_add_up_to_every_score():
    for slug in ("aimai-default", "aimai-bridgers"):
        for score in scored(current(slug)):
            parts = score.contributions
            assert sum(parts["aimai"].values()) == pytest.approx(score.aimai, abs=1e-6)
            for dimension in ("capability", "solidarity", "burden"):
                total = sum(parts[dimension].values())
                assert total == pytest.approx(getattr(score, dimension), abs=1e-6)


def test_the_alternative_marks_imputed_values_and_scores_without_them():
    scores = scored(current("aimai-bridgers"))
    imputed = [s for s in scores if s.imputed]
    assert imputed
    for score in imputed:
        for code in score.imputed:
            assert score.provenance[code] == {"status": "imputed", "method": "region_mean"}
    assert any(s.aimai_without_imputation != s.aimai for s in imputed)
    assert all(not s.imputed for s in scored(current("aimai-default")))


def test_computing_again_from_the_stored_inputs_gives_identical_numbers_and_digests():
    score_set = current("aimai-default")
    inputs = score_set_inputs(score_set)  # rebuilt from the frozen release, digest checked
    assert len(inputs["observations"]) > 500
    outputs = recompute(inputs)
    assert outputs == score_set.outputs
    found = digests(inputs, outputs)
    assert (found.inputs, found.outputs, found.digest) == (
        score_set.inputs_digest,
        score_set.outputs_digest,
        score_set.digest,
    )


def test_recomputing_unchanged_inputs_changes_nothing():
    before = ScoreSet.objects.count()
    done = index_recompute()  # each methodology's current version on the current release
    assert sorted(
        (s.methodology_version.methodology.slug, s.methodology_version.version, s.release.slug)
        for s, _ in done
    ) == [("aimai-bridgers", "2.0", "world-2026"), ("aimai-default", "2.0", "world-2026")]
    assert [created for _, created in done] == [False, False]
    assert ScoreSet.objects.count() == before
    shipped_methodologies_load()  # loading the shipped files again is a no-op too
    # aimai-default 1.0, 1.1 and 2.0, aimai-bridgers 1.0 and 2.0
    assert sorted(MethodologyVersion.objects.values_list("methodology__slug", "version")) == [
        ("aimai-bridgers", "1.0"),
        ("aimai-bridgers", "2.0"),
        ("aimai-default", "1.0"),
        ("aimai-default", "1.1"),
        ("aimai-default", "2.0"),
    ]


def test_score_sets_scores_and_published_versions_are_immutable_in_the_database():
    score_set = current("aimai-default")
    score = score_set.scores.first()
    version = score_set.methodology_version
    for attempt in (
        lambda: Score.objects.filter(pk=score.pk).update(aimai=99),
        lambda: Score.objects.filter(pk=score.pk).delete(),
        lambda: ScoreSet.objects.filter(pk=score_set.pk).update(reference_year=1999),
        lambda: MethodologyVersion.objects.filter(pk=version.pk).update(source="x"),
        lambda: MethodologyVersion.objects.filter(pk=version.pk).delete(),
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            attempt()
    score.refresh_from_db()
    assert score.aimai != 99


def new_version(changes: dict, version: str = "1.2") -> str:
    data = yaml.safe_load((SHIPPED_DIR / "aimai-default-1.1.yaml").read_text())
    data["version"] = version
    for path, value in changes.items():
        node = data
        *parents, last = path.split(".")
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        node[last] = value
    return yaml.safe_dump(data, sort_keys=False)


def test_a_new_version_is_scored_after_commit_and_supersedes_without_overwriting(
    django_capture_on_commit_callbacks, eager_tasks
):
    old = current("aimai-default")
    draft = methodology_version_save(
        source=new_version({"index.weights.burden": -1}), changes="Burden weighs double."
    )
    assert draft.status == "draft"
    with django_capture_on_commit_callbacks(execute=True):
        methodology_version_publish(version=draft)
    new = current("aimai-default")
    assert new != old
    assert new.methodology_version == draft
    assert ScoreSet.objects.get(digest=old.digest).outputs == old.outputs
    # the old set is still what the site showed yesterday, and still served by its digest
    assert new.created_at > old.created_at
    with pytest.raises(DomainError):
        methodology_version_publish(version=draft)


def test_invalid_files_and_unknown_indicators_are_refused_with_their_reasons():
    with pytest.raises(DomainError) as excinfo:
        methodology_version_save(source=new_version({"index.bridger_min": -50}))
    assert "index.bridger_min: must be above index.divider_max (-10.0)" in excinfo.value.message
    draft = methodology_version_save(
        source=new_version({"dimensions.burden.indicators.0.code": "no_such_indicator"})
    )
    with pytest.raises(DomainError) as excinfo:
        methodology_version_publish(version=draft)
    assert "no_such_indicator" in excinfo.value.message
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_editors_choose_the_headline(client):
    bridgers = Methodology.objects.get(slug="aimai-bridgers")
    methodology_headline_set(methodology=bridgers)
    assert Methodology.objects.headline() == bridgers
    assert Methodology.objects.filter(is_headline=True).count() == 1
    body = client.get("/api/v1/scores/").json()
    assert body["score_set"]["methodology"] == "aimai-bridgers"


def test_compute_index_command(capsys):
    call_command("compute_index", "--methodology", "aimai-default")
    out = capsys.readouterr()
    assert f"aimai-default 2.0 on world-2026 ({current('aimai-default').digest[:12]})" in out.out
    assert "unchanged (identical inputs)" in out.out
    assert "writing the score set" not in out.err  # nothing new to write
    with pytest.raises(CommandError, match="No published methodology “nope”"):
        call_command("compute_index", "--methodology", "nope")
    with pytest.raises(CommandError, match="No published data release “nope”"):
        call_command("compute_index", "--release", "nope")


def test_the_bundle_reproduces_outside_the_site(tmp_path):
    score_set = current("aimai-bridgers")
    assert score_set.methodology_version.version == "2.0"
    bundle = tmp_path / "bundle.zip"
    bundle.write_bytes(score_set_bundle(score_set))
    # a process with no Django settings and no database recomputes it
    checker = (
        "import sys, runpy\n"
        "sys.argv = ['reproduce', sys.argv[1]]\n"
        "try:\n"
        "    runpy.run_module('countries.index.reproduce', run_name='__main__')\n"
        "except SystemExit as exc:\n"
        "    assert not [m for m in sys.modules if m.split('.')[0] == 'django'], 'django'\n"
        "    raise\n"
    )
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    run = subprocess.run(
        [sys.executable, "-c", checker, str(bundle)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"identical: score set {score_set.digest}" in run.stdout


def test_the_bundle_of_the_headline_reproduces_as_identical_outside_the_site(tmp_path):
    score_set = current("aimai-default")
    assert (score_set.methodology_version.version, score_set.release.slug) == ("2.0", "world-2026")
    bundle = tmp_path / "headline.zip"
    bundle.write_bytes(score_set_bundle(score_set))
    run = reproduce_run(bundle)
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"identical: score set {score_set.digest}" in run.stdout


def tampered(tmp_path, score_set: ScoreSet, name: str, change) -> Path:
    """A copy of the score set's bundle with one of its files changed by `change`."""
    original = zipfile.ZipFile(io.BytesIO(score_set_bundle(score_set)))
    path = tmp_path / f"tampered-{name}.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for member in original.namelist():
            data = original.read(member).decode()
            archive.writestr(member, change(data) if member == name else data)
    return path


def reproduce_run(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "countries.index.reproduce", str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )


def _with_json(change):
    def rewrite(text: str) -> str:
        data = json.loads(text)
        change(data)
        return json.dumps(data)

    return rewrite


def test_a_tampered_bundle_is_reported_value_by_value(tmp_path):
    score_set = current("aimai-default")

    def usa_to_12_5(outputs):
        next(s for s in outputs["scores"] if s["country"] == "USA")["aimai"] = 12.5

    run = reproduce_run(tampered(tmp_path, score_set, "outputs.json", _with_json(usa_to_12_5)))
    assert run.returncode == 1
    assert "DIFFERENT: 1 problem(s)" in run.stdout
    assert f"scores.USA.aimai: bundle 12.5, recomputed {usa_aimai(score_set)}" in run.stdout


def test_tampered_inputs_methodology_files_and_manifest_are_all_caught(tmp_path):
    score_set = current("aimai-default")

    def kenya_fragility_up(inputs):
        row = next(r for r in inputs["observations"] if r[:2] == ["KEN", "fsi_total"])
        row[3] = 131.7

    def zero_digest(manifest):
        manifest["score_set"]["digest"] = "0" * 64

    def other_slug(manifest):
        manifest["methodology"]["slug"] = "aimai-bridgers"

    cases = {
        "inputs.json": (_with_json(kenya_fragility_up), "the inputs in this bundle were altered"),
        "methodology.yaml": (
            lambda text: text.replace("capability: -1.5", "capability: 5"),
            "methodology.yaml is not the methodology that was scored",
        ),
        "manifest.json": (
            _with_json(zero_digest),
            f"but these inputs and outputs make score set {score_set.digest}",
        ),
    }
    for name, (change, message) in cases.items():
        run = reproduce_run(tampered(tmp_path, score_set, name, change))
        assert run.returncode == 1, name
        assert message in run.stdout, run.stdout
    run = reproduce_run(tampered(tmp_path, score_set, "manifest.json", _with_json(other_slug)))
    assert "the manifest's methodology slug 'aimai-bridgers' is not" in run.stdout
    # altered inputs: the report goes on to show what they change
    run = reproduce_run(
        tampered(tmp_path, score_set, "inputs.json", _with_json(kenya_fragility_up))
    )
    assert "scores.KEN.burden: bundle" in run.stdout


def usa_aimai(score_set: ScoreSet) -> float:
    return score_set.scores.get(country__iso3="USA").aimai


def test_as_of_returns_what_was_current_then(client):
    old = current("aimai-default")
    today = timezone.now().date()
    body = client.get("/api/v1/scores/", {"as_of": today.isoformat()}).json()
    assert body["score_set"]["digest"] == old.digest
    yesterday = (today - timedelta(days=1)).isoformat()
    response = client.get("/api/v1/scores/", {"as_of": yesterday})
    assert response.status_code == 404
    assert response.json()["message"] == (
        f"No score set of “aimai-default” had been published by {yesterday}."
    )


def test_scoring_an_older_release_later_never_makes_it_current(
    django_capture_on_commit_callbacks, eager_tasks
):
    from countries.models import DataRelease
    from countries.services import data_release_draft_from, data_release_publish

    old = DataRelease.objects.get(slug="demo-2026-11")
    with django_capture_on_commit_callbacks(execute=True):
        fix = data_release_draft_from(
            source=old,
            slug="demo-fix",
            name="Fix",
            release_date=timezone.now().date(),
            change_note="Kenya's fragility score as revised.",
        )
        fix.observations.filter(country__iso3="KEN", indicator__code="fsi_total").update(value=88.0)
        data_release_publish(release=fix)
    assert current("aimai-default").release == fix
    with django_capture_on_commit_callbacks(execute=True):
        draft = methodology_version_save(source=new_version({"index.weights.burden": -1}))
        methodology_version_publish(version=draft)
    # when the new version is also scored on the older release, after the newer one
    index_recompute(slug="aimai-default", release=old)
    assert ScoreSet.objects.filter(methodology_version=draft, release=old).exists()
    # then the current set is still the one of the newest release
    assert current("aimai-default").release == fix
    assert current("aimai-default").methodology_version == draft


def test_methodology_files_that_would_crash_scoring_are_refused():
    for change, message in [
        ({"sensitivity.seed": -1}, "sensitivity.seed: -1 is less than the minimum of 0"),
        ({"sensitivity.draws": 10**6}, "sensitivity.draws: 1000000 is greater than"),
        (
            {"dimensions.burden.indicators.0.cap": {"min": 10, "max": 1}},
            "dimensions.burden.indicators[0](fsi_total).cap: min 10 must be below max 1",
        ),
        (
            {"dimensions.burden.indicators.0.weight": 10**400},
            "dimensions.burden.indicators[0](fsi_total).weight: must be a finite number",
        ),
    ]:
        with pytest.raises(DomainError) as excinfo:
            methodology_version_save(source=new_version(change, "7.0"))
        assert message in excinfo.value.message
    assert not MethodologyVersion.objects.filter(version="7.0").exists()
