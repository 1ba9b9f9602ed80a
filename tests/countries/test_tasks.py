import pytest

from countries.tasks import data_release_verify_task, data_releases_verify_task


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
    assert data_releases_verify_task() == {"checked": 1, "mismatched": []}


@pytest.mark.django_db
def test_a_missing_release_is_logged_and_skipped(caplog):
    assert data_release_verify_task(10**9) is None
    assert "gone or not published" in caplog.text
