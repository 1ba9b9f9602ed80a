"""The Celery application: configured from Django settings (CELERY_* names)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aimai_site.settings")

# every task notes the outbox job it was sent from, and runs once (aimai_site/outbox.py)
app = Celery("aimai_site", task_cls="aimai_site.outbox:OutboxTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(["aimai_site"])  # not an installed app: its tasks (e-mail) by name

# request ids into task messages and the tasks' log lines; task failures and retries counted
from celery import signals  # noqa: E402

from aimai_site import logs, metrics  # noqa: E402

signals.before_task_publish.connect(logs.task_publishing, weak=False, dispatch_uid="request-id")
signals.task_prerun.connect(logs.task_starting, weak=False, dispatch_uid="request-id")
signals.task_postrun.connect(logs.task_finished, weak=False, dispatch_uid="request-id")
signals.task_failure.connect(metrics.task_failed, weak=False, dispatch_uid="task-failures")
signals.task_retry.connect(metrics.task_retried, weak=False, dispatch_uid="task-retries")


@signals.worker_ready.connect(weak=False, dispatch_uid="worker-heartbeat")
def _worker_started(**kwargs) -> None:
    """A worker that has just started counts as a heartbeat: readiness need not wait for beat."""
    from aimai_site.health import heartbeat_write

    heartbeat_write()
