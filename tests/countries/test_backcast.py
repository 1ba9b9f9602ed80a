"""Back-casts: the headline methodology applied to every earlier data release, stored and logged
like any score set, marked, and never current."""

from datetime import date

import pytest
from django.core.management import call_command

from countries.backcast import backcast_compute, backcast_targets
from countries.models import DataRelease, Methodology, MethodologyVersion, Observation, ScoreSet
from countries.scoring import score_set_compute
from countries.selectors import score_set_resolve
from countries.services import data_release_draft_from, data_release_publish
from registry.models import Entry

pytestmark = pytest.mark.django_db


def headline_version() -> MethodologyVersion:
    return Methodology.objects.headline().versions.current()


def correction_of_world(slug: str = "world-2026-fix") -> DataRelease:
    """A published correction of the world release (Kenya's internet use changed): the newest
    release, with no score set yet."""
    world = DataRelease.objects.get(slug="world-2026")
    draft = data_release_draft_from(
        source=world,
        slug=slug,
        name="AIMAI world data 2026, corrected",
        release_date=date(2026, 12, 5),
        change_note="Kenya's internet use read again from the source.",
    )
    changed = Observation.objects.filter(
        release=draft, country__iso3="KEN", indicator__code="internet_users"
    ).update(value=55.0)
    assert changed == 1
    return data_release_publish(release=draft)


def test_the_shipped_data_carry_the_headline_back_cast_on_the_earlier_release():
    version = headline_version()
    backcast = ScoreSet.objects.get(methodology_version=version, release__slug="demo-2026-11")
    assert backcast.backcast is True
    # the world release's set is the real one, scored when that release was current
    current = ScoreSet.objects.get(methodology_version=version, release__slug="world-2026")
    assert current.backcast is False
    assert score_set_resolve().pk == current.pk
    # every earlier release is scored with the headline's latest version: nothing is left to do
    assert backcast_targets() == (version, [])


def test_back_casting_twice_creates_nothing_new(capsys):
    before = ScoreSet.objects.count()
    entries = Entry.objects.count()
    assert backcast_compute() == []
    call_command("backcast")
    assert "nothing to do" in capsys.readouterr().out
    assert ScoreSet.objects.count() == before
    assert Entry.objects.count() == entries


def test_a_back_cast_is_published_in_the_registry_like_any_score_set():
    backcast = ScoreSet.objects.get(backcast=True, release__slug="demo-2026-11")
    entry = Entry.objects.get(identifier=backcast.digest)
    assert entry.digest == backcast.digest
    assert entry.url == f"/api/v1/score-sets/{backcast.digest}/"


def test_the_api_marks_a_back_cast_and_never_calls_it_current(client):
    backcast = ScoreSet.objects.get(backcast=True, release__slug="demo-2026-11")
    body = client.get(f"/api/v1/score-sets/{backcast.digest}/").json()
    assert body["backcast"] is True
    assert body["current"] is False
    listed = client.get("/api/v1/score-sets/", {"methodology": "aimai-default"}).json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [r["backcast"] for r in rows if r["current"]] == [False]


def test_a_back_cast_never_becomes_current_even_on_the_newest_release():
    version = headline_version()
    world_set = score_set_resolve()
    correction = correction_of_world()
    # a back-cast on the newest release, the newest score set of all
    backcast, created = score_set_compute(version=version, release=correction, backcast=True)
    assert created
    assert backcast.backcast
    assert ScoreSet.objects.latest().pk == backcast.pk
    # the current set is still the last one that was not a back-cast
    assert ScoreSet.objects.for_methodology(version.methodology.slug).current() == world_set
    assert score_set_resolve().pk == world_set.pk
    assert score_set_resolve(as_of="2100-01-01").pk == world_set.pk


def test_a_set_computed_on_a_release_that_is_no_longer_current_is_a_back_cast():
    superseded = correction_of_world("world-2026-fix-1")
    correction_of_world("world-2026-fix-2")  # now the current release
    score_set, created = score_set_compute(version=headline_version(), release=superseded)
    assert created
    assert score_set.backcast
    assert score_set_resolve().backcast is False


def test_the_backcast_command_scores_a_release_left_behind(capsys):
    # the correction is current; scoring it makes the world release an earlier one, already
    # scored with the headline's version: nothing to back-cast
    correction = correction_of_world()
    score_set_compute(version=headline_version(), release=correction)
    call_command("backcast")
    assert "nothing to do" in capsys.readouterr().out
