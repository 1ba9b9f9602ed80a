import time

import pytest
import yaml

from countries.models import Score, ScoreSet
from countries.scoring import SHIPPED_DIR, methodology_version_publish, methodology_version_save
from countries.tasks import (
    data_release_verify_task,
    data_releases_verify_task,
    recompute_index_task,
)


@pytest.mark.services
def test_a_real_worker_verifies_a_published_release(committed_demo_data, celery_worker_queue):
    # given the demo release, committed, and a worker process on a private queue
    from aimai_site.celery import app

    assert not app.conf.task_always_eager
    # when the task goes through the Redis broker to the worker
    result = data_release_verify_task.apply_async(
        args=[committed_demo_data.pk], queue=celery_worker_queue
    )
    # then its result comes back through the Redis result store
    assert result.get(timeout=60) == {
        "release": "demo-2026-11",
        "content_digest": committed_demo_data.content_digest,
        "recomputed_digest": committed_demo_data.content_digest,
        "ok": True,
    }
    assert result.state == "SUCCESS"


@pytest.mark.django_db
def test_verifying_every_release_finds_no_mismatch():
    # the demo release and the world release
    assert data_releases_verify_task() == {"checked": 2, "mismatched": []}


@pytest.mark.django_db
def test_a_missing_release_is_logged_and_skipped(caplog):
    assert data_release_verify_task(10**9) is None
    assert "gone or not published" in caplog.text


def slow_version_source(version: str) -> str:
    """The default methodology with the largest sensitivity analysis allowed (100,000 draws):
    a task that runs for seconds, long enough to be killed in the middle."""
    data = yaml.safe_load((SHIPPED_DIR / "aimai-default-1.1.yaml").read_text())
    data["version"] = version
    data["sensitivity"]["draws"] = 100_000
    return yaml.safe_dump(data, sort_keys=False)


@pytest.mark.services
def test_publishing_queues_a_recompute_that_a_real_worker_runs(
    committed_demo_data, celery_workers, tasks_routed_to
):
    celery_workers()
    tasks_routed_to(celery_workers.queue)
    data = yaml.safe_load((SHIPPED_DIR / "aimai-default-1.1.yaml").read_text())
    data["version"] = "1.2"
    data["index"]["weights"]["burden"] = -1
    draft = methodology_version_save(source=yaml.safe_dump(data))
    # when the version is published (and the transaction commits)
    methodology_version_publish(version=draft)
    # then the worker scores the current release with it, and that set becomes current
    deadline = time.monotonic() + 60
    while not ScoreSet.objects.filter(methodology_version=draft).exists():
        assert time.monotonic() < deadline, "no score set within 60 s"
        time.sleep(0.2)
    assert ScoreSet.objects.for_methodology("aimai-default").current().methodology_version == draft


@pytest.mark.services
def test_a_worker_killed_mid_task_leaves_nothing_half_written_and_a_rerun_completes(
    committed_demo_data, celery_workers, tasks_routed_to
):
    first = celery_workers()
    tasks_routed_to(celery_workers.queue)
    sets_before, scores_before = ScoreSet.objects.count(), Score.objects.count()
    draft = methodology_version_save(source=slow_version_source("9.0-slow"))
    methodology_version_publish(version=draft)  # queues the recompute after commit
    # when the worker is killed while it computes
    first.wait_for_log("recompute_index_task")
    time.sleep(0.5)
    first.kill()
    # then nothing of the interrupted score set exists
    assert ScoreSet.objects.count() == sets_before
    assert Score.objects.count() == scores_before
    # when the task runs again on a new worker
    celery_workers()
    result = recompute_index_task.apply_async(queue=celery_workers.queue)
    done = result.get(timeout=300)
    # then exactly one complete score set exists for the version, and it is current
    created = ScoreSet.objects.get(methodology_version=draft)
    assert {"score_set": created.digest, "created": True} in done
    assert created.scores.count() == len(created.inputs["regions"]) > 200
    assert ScoreSet.objects.for_methodology("aimai-default").current() == created
    # and running it once more changes nothing
    again = recompute_index_task.apply_async(queue=celery_workers.queue).get(timeout=300)
    assert all(not row["created"] for row in again)
    assert ScoreSet.objects.filter(methodology_version=draft).count() == 1
