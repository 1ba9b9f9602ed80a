"""The outbox: work a change asks for is recorded in the change's transaction, sent on once it
commits (now, or by the relay once the broker is back), and runs once even when it is
delivered twice — across a relay that dies between sending jobs and noting them sent."""

import multiprocessing
import os
import re
import signal
import time
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from aimai_site.errors import DomainError
from aimai_site.mail import MAIL_TASK, mail_queue
from aimai_site.models import OutboxJob
from aimai_site.outbox import JOB_HEADER, outbox_backlog, outbox_prune, outbox_relay
from aimai_site.tasks import mail_send_task
from tests.conftest import service_missing
from tests.smtp_sink import SmtpSink


def mail_job(number: int) -> dict:
    return {"subject": f"Message {number}", "body": "Hello", "to": [f"p{number}@example.org"]}


@pytest.mark.django_db
def test_a_job_is_recorded_with_its_change_and_gone_if_the_change_rolls_back(
    mailoutbox, eager_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError):  # noqa: PT012 (the change and its failure)
            with transaction.atomic():
                mail_queue("Welcome", "Hello", ["amina@example.org"])
                assert OutboxJob.objects.filter(task=MAIL_TASK).count() == 1
                raise RuntimeError("the change fails")
    assert not OutboxJob.objects.filter(task=MAIL_TASK).exists()
    assert mailoutbox == []


@pytest.mark.django_db
def test_a_committed_job_runs_once_and_is_noted_done(
    mailoutbox, eager_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        mail_queue("Welcome", "Hello", ["amina@example.org"])
    (mail,) = mailoutbox
    assert mail.subject == "Welcome"
    job = OutboxJob.objects.get(task=MAIL_TASK)
    assert (job.relays, job.runs) == (1, 1)
    assert job.relayed_at
    assert job.started_at
    assert job.done_at
    assert job.failed_at is None
    assert outbox_backlog() == 0


@pytest.mark.django_db
def test_a_message_delivered_again_after_its_job_is_done_does_not_run_it_again(
    mailoutbox, eager_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        mail_queue("Welcome", "Hello", ["amina@example.org"])
    job = OutboxJob.objects.get(task=MAIL_TASK)
    # the broker delivers the same message again (a worker killed before acknowledging it)
    mail_send_task.apply_async(
        kwargs=job.kwargs, task_id=str(job.pk), headers={JOB_HEADER: str(job.pk)}
    )
    assert len(mailoutbox) == 1
    job.refresh_from_db()
    assert (job.relays, job.runs) == (1, 1)
    # and a done job is never sent again by the relay
    assert outbox_relay() == 0


@pytest.mark.django_db
def test_a_job_sent_long_ago_and_never_started_is_sent_again(mailoutbox, eager_tasks, settings):
    settings.OUTBOX_RESEND_AFTER = 600
    long_ago = timezone.now() - timedelta(seconds=601)
    lost = OutboxJob.objects.create(task=MAIL_TASK, kwargs=mail_job(1), relayed_at=long_ago)
    recent = timezone.now() - timedelta(seconds=30)
    OutboxJob.objects.create(task=MAIL_TASK, kwargs=mail_job(2), relayed_at=recent)
    # its message was lost (a Redis that restarted empty): the relay sends it again
    assert outbox_relay() == 1
    assert [m.subject for m in mailoutbox] == ["Message 1"]
    lost.refresh_from_db()
    assert lost.done_at
    assert lost.relays == 1


@pytest.mark.django_db
def test_a_job_whose_task_fails_is_kept_failed_and_not_sent_again(eager_tasks):
    job = OutboxJob.objects.create(
        task="countries.tasks.recompute_index_task", kwargs={"slug": "no-such-methodology"}
    )
    with pytest.raises(DomainError):
        outbox_relay()
    job.refresh_from_db()
    assert job.failed_at
    assert "no-such-methodology" in job.error
    assert job.done_at is None
    assert outbox_relay() == 0


@pytest.mark.django_db
def test_the_backlog_counts_jobs_not_yet_sent_and_metrics_show_it(client):
    for number in range(3):
        OutboxJob.objects.create(task=MAIL_TASK, kwargs=mail_job(number))
    OutboxJob.objects.create(task=MAIL_TASK, kwargs=mail_job(9), relayed_at=timezone.now())
    assert outbox_backlog() == 3
    text = client.get("/metrics").content.decode()
    assert re.search(r"^aimai_outbox_backlog 3\.0$", text, re.M)


@pytest.mark.django_db
def test_finished_jobs_are_forgotten_after_the_days_kept():
    old = timezone.now() - timedelta(days=8)
    OutboxJob.objects.create(task=MAIL_TASK, kwargs=mail_job(1), done_at=old)
    OutboxJob.objects.create(task=MAIL_TASK, kwargs=mail_job(2), failed_at=old)
    OutboxJob.objects.create(task=MAIL_TASK, kwargs=mail_job(3), done_at=timezone.now())
    OutboxJob.objects.create(task=MAIL_TASK, kwargs=mail_job(4))  # unfinished: never
    assert outbox_prune(keep_days=7) == 2
    assert sorted(j.kwargs["subject"] for j in OutboxJob.objects.filter(task=MAIL_TASK)) == [
        "Message 3",
        "Message 4",
    ]


def _relay_once() -> None:
    """A relay process of its own (forked): it opens its own database connection."""
    outbox_relay()
    os._exit(0)


def _waiting_on_the_outbox() -> bool:
    # on a connection of its own, outside the blocker's transaction (which would keep
    # showing the activity it first read)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND query LIKE 'UPDATE \"aimai_site_outboxjob\"%%'"
        )
        return cursor.fetchone()[0] > 0


@pytest.mark.services
@pytest.mark.postgres
def test_every_job_runs_exactly_once_across_a_relay_killed_after_sending(
    celery_workers, tasks_routed_to, monkeypatch
):
    if connection.vendor != "postgresql":
        service_missing("PostgreSQL (DATABASE_URL): the relay and the test hold row locks")
    count = 20
    # a slow mail server: the worker is still sending when the next relay hands jobs over again
    with SmtpSink(delay=0.2) as sink:
        monkeypatch.setenv("EMAIL_HOST", "127.0.0.1")
        monkeypatch.setenv("EMAIL_PORT", str(sink.port))
        monkeypatch.setenv("EMAIL_USE_TLS", "false")
        worker = celery_workers()
        tasks_routed_to(celery_workers.queue)
        jobs = [OutboxJob.objects.create(task=MAIL_TASK, kwargs=mail_job(n)) for n in range(count)]
        # Hold the relay between sending and noting: it can send (SHARE lets it take the rows
        # FOR UPDATE) but not write relayed_at (UPDATE waits for SHARE to go).
        blocker = connections.create_connection("default")
        blocker.set_autocommit(False)
        with blocker.cursor() as cursor:
            cursor.execute('LOCK TABLE "aimai_site_outboxjob" IN SHARE MODE')
            connections.close_all()  # the forked relay must not share this process's socket
            relay = multiprocessing.get_context("fork").Process(target=_relay_once)
            relay.start()
            deadline = time.monotonic() + 30
            while not _waiting_on_the_outbox():
                assert time.monotonic() < deadline, "the relay never reached its UPDATE"
                time.sleep(0.05)
            # every job is on the broker now; the relay dies before noting any as sent
            os.kill(relay.pid, signal.SIGKILL)
            relay.join()
        blocker.commit()
        blocker.close()
        # its transaction rolls back: no job is noted sent, so the next relay sends all again
        deadline = time.monotonic() + 30
        mine = OutboxJob.objects.filter(pk__in=[job.pk for job in jobs])
        while mine.filter(relayed_at__isnull=False).exists():
            assert time.monotonic() < deadline
            time.sleep(0.1)
        resent = outbox_relay()  # all but those the worker has finished meanwhile
        assert resent >= count // 2
        deadline = time.monotonic() + 60
        while worker.log.read_text().count("already done, not run again") < resent:
            assert time.monotonic() < deadline, worker.log.read_text()[-3000:]
            time.sleep(0.1)
    # each message reached the mail server once, and each job ran once
    assert sorted(sink.subjects()) == sorted(f"Message {n}" for n in range(count))
    for job in jobs:
        job.refresh_from_db()
        assert job.done_at is not None
        assert job.runs == 1


@pytest.mark.django_db
def test_a_mail_job_carries_a_message_id_that_every_delivery_repeats(
    mailoutbox, eager_tasks, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://ai4nations.example"
    with django_capture_on_commit_callbacks(execute=True):
        mail_queue("Welcome", "Hello", ["amina@example.org"])
    job = OutboxJob.objects.get(task=MAIL_TASK)
    OutboxJob.objects.filter(pk=job.pk).update(done_at=None)  # as if killed before noting it
    mail_send_task.apply_async(
        kwargs=job.kwargs, task_id=str(job.pk), headers={JOB_HEADER: str(job.pk)}
    )
    first, second = mailoutbox
    assert first.extra_headers["Message-ID"] == f"<{job.pk}@ai4nations.example>"
    assert second.extra_headers["Message-ID"] == first.extra_headers["Message-ID"]
