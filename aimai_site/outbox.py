"""The transactional outbox: work a change asks for is a row written in the change's own
transaction, and a relay sends each row on to Celery.

A `task.delay()` after commit is lost when the broker is down at that moment; a job row is not:
it commits with the change or not at all, and waits until the broker is back.

Delivery. Once the transaction commits, the job is sent at once if the broker answers; the
relay (`manage.py outbox_relay`, and beat's `outbox_relay_task` as a backstop) sends whatever
is left. A relay killed between sending a job and noting it sent sends it again, so a job may
reach a worker twice; it runs once in effect: the job's id is the task's id, a task whose job
is done does not run again (`OutboxTask`), and the tasks are safe to run twice. E-mail, which
cannot be taken back, runs holding its job's row lock and notes itself done in that same
transaction (`exclusive`). A job sent but neither started nor finished after
OUTBOX_RESEND_AFTER seconds (its message lost with a Redis that restarted empty) is sent again.

Loaded by the Celery app before Django's apps are ready: models are imported where used.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from functools import partial
from importlib import import_module

from celery import Task, current_app
from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import F, Q
from django.utils import timezone
from kombu.exceptions import KombuError, OperationalError
from redis.exceptions import RedisError

from aimai_site import logs

logger = logging.getLogger(__name__)

RELAY_BATCH = 100
JOB_HEADER = "outbox_job"  # in each message sent from a job: the task looks the job up
BROKER_UNREACHABLE = (OperationalError, KombuError, RedisError, OSError)


def _jobs():
    from aimai_site.models import OutboxJob

    return OutboxJob.objects


def _unfinished():
    return _jobs().filter(done_at__isnull=True, failed_at__isnull=True)


def outbox_enqueue(task: str, kwargs: dict | None = None):
    """Record that `task` must run with `kwargs`, in the current transaction. Once it commits,
    the job is sent at once; if the broker is away, the relay sends it later."""
    job = _jobs().create(task=task, kwargs=kwargs or {}, request_id=logs.request_id.get())
    transaction.on_commit(partial(_send_soon, job.pk))
    return job


def _send_soon(job_id: uuid.UUID) -> None:
    if current_app.conf.task_always_eager:
        outbox_relay(ids=[job_id])  # in-process: the task's own error is the caller's to see
        return
    try:
        outbox_relay(ids=[job_id])
    except Exception:  # the change has committed: the relay sends the job later
        logger.exception("outbox job %s could not be sent now; the relay will", job_id)


def _due(now):
    stale = now - timedelta(seconds=settings.OUTBOX_RESEND_AFTER)
    never_sent = Q(relayed_at__isnull=True)
    lost = Q(relayed_at__lt=stale) & (Q(started_at__isnull=True) | Q(started_at__lt=stale))
    return _unfinished().filter(never_sent | lost)


def outbox_relay(*, ids=None, limit: int = RELAY_BATCH) -> int:
    """Send due jobs to the broker, oldest first, and note them sent. Returns how many were
    sent; stops at the first the broker refuses (the rest wait for the next round). Two relays
    never send the same job at once: each takes the rows it sends (SKIP LOCKED)."""
    now = timezone.now()
    due = _due(now).order_by("created_at")
    if ids is not None:
        due = due.filter(pk__in=ids)
    if current_app.conf.task_always_eager:
        return _run_in_process(list(due[:limit]), now)
    sent = []
    with transaction.atomic():
        for job in due.select_for_update(skip_locked=True)[:limit]:
            try:
                _publish(job)
            except BROKER_UNREACHABLE as exc:
                logger.warning("outbox: broker unreachable (%s); %s waits", exc, job.task)
                break
            sent.append(job.pk)
        # a relay that dies before this commits has sent these jobs without noting it: they
        # are sent again, and a task whose job is done does not run twice
        _jobs().filter(pk__in=sent).update(relayed_at=now, relays=F("relays") + 1)
    return len(sent)


def _run_in_process(jobs, now) -> int:
    """No broker (the embedded default): each job runs here, as `delay()` would have."""
    for job in jobs:
        _jobs().filter(pk=job.pk).update(relayed_at=now, relays=F("relays") + 1)
        # the task's log lines carry the id of the request that recorded the job
        request_id = logs.request_id.set(job.request_id or logs.request_id.get())
        try:
            _publish(job)
        except Exception as exc:  # raised to the caller: Celery calls no on_failure then
            _failed(job.pk, exc)
            raise
        finally:
            logs.request_id.reset(request_id)
    return len(jobs)


def _task(name: str):
    # a process that never imported the task's module (the web, the relay) has not registered it
    import_module(name.rpartition(".")[0])
    return current_app.tasks[name]


def _publish(job) -> None:
    headers = {JOB_HEADER: str(job.pk)}
    if job.request_id:
        headers[logs.TASK_HEADER] = job.request_id
    # ignore_result: the job row says how the work went; asking for a result would subscribe
    # to the result store, whose client gives up for good after an outage
    _task(job.task).apply_async(
        kwargs=job.kwargs, task_id=str(job.pk), headers=headers, retry=False, ignore_result=True
    )


def outbox_backlog() -> float:
    """Jobs recorded and not yet sent (for Prometheus); NaN while the database is away."""
    try:
        return _unfinished().filter(relayed_at__isnull=True).count()
    except DatabaseError:
        return float("nan")


def outbox_prune(*, keep_days: int | None = None) -> int:
    """Forget finished jobs after OUTBOX_KEEP_DAYS (an e-mail job holds its addresses)."""
    keep = settings.OUTBOX_KEEP_DAYS if keep_days is None else keep_days
    cutoff = timezone.now() - timedelta(days=keep)
    finished = Q(done_at__lt=cutoff) | Q(failed_at__lt=cutoff)
    deleted, _ = _jobs().filter(finished).delete()
    return deleted


def _job_id(request) -> uuid.UUID | None:
    """The job a task was sent from: the header, read where a worker (message headers are the
    request's keys) or an in-process run (`request.headers`) puts it."""
    sent_from = request.get(JOB_HEADER) or (getattr(request, "headers", None) or {}).get(JOB_HEADER)
    if not sent_from or str(sent_from) != str(request.id):
        return None
    try:
        return uuid.UUID(str(sent_from))
    except ValueError:
        return None


class OutboxTask(Task):
    """Every task of the site: a task sent from a job runs at most once after the job is done,
    and notes the job started, done or failed. Tasks not sent from a job (beat's) just run.

    `exclusive = True` (e-mail): the job's row stays locked for the whole run and is noted done
    in the same transaction, so two deliveries of one job cannot both run it."""

    exclusive = False

    def __call__(self, *args, **kwargs):
        job_id = _job_id(self.request)
        if job_id is None:
            return super().__call__(*args, **kwargs)
        if self.exclusive:
            with transaction.atomic():
                job = _jobs().select_for_update().filter(pk=job_id)
                return self._run_job(job_id, job, args, kwargs)
        return self._run_job(job_id, _jobs().filter(pk=job_id), args, kwargs)

    def _run_job(self, job_id, job, args, kwargs):
        found = list(job.values_list("done_at", flat=True))
        if not found:  # pruned meanwhile: nothing to note
            return super().__call__(*args, **kwargs)
        if found[0] is not None:
            logger.info("%s: job %s already done, not run again", self.name, job_id)
            return None
        _jobs().filter(pk=job_id).update(started_at=timezone.now(), runs=F("runs") + 1)
        # sent from a job, so run by Celery's tracer, which has pushed this request already
        result = self.run(*args, **kwargs)
        _jobs().filter(pk=job_id, done_at__isnull=True).update(done_at=timezone.now())
        return result

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        """Out of retries: the job is failed, kept with its error, never sent again."""
        job_id = _job_id(self.request)
        if job_id is not None:
            _failed(job_id, exc)


def _failed(job_id, exc: Exception) -> None:
    _jobs().filter(pk=job_id, done_at__isnull=True).update(
        failed_at=timezone.now(), error=f"{type(exc).__name__}: {exc}"[:2000]
    )
