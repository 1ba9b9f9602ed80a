"""Background jobs shared by the apps: sending e-mail."""

import logging
from smtplib import SMTPException
from urllib.parse import urlsplit

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings
from django.core.mail import EmailMultiAlternatives

logger = logging.getLogger(__name__)

MAIL_MAX_RETRIES = 8  # about nine hours of back-off in all


def message_id(task_id: str) -> str:
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<{task_id}@{domain}>"


# exclusive: two deliveries of one job cannot both send it (aimai_site/outbox.py)
@shared_task(bind=True, acks_late=True, max_retries=MAIL_MAX_RETRIES, exclusive=True)
def mail_send_task(
    self,
    *,
    subject: str,
    body: str,
    to: list[str],
    from_email: str | None = None,
    html: str | None = None,
) -> int:
    """Send one message; a mail server that is down or refuses is tried again later, with
    exponential back-off. Run in-process (development), a failure is logged, not retried.

    The Message-ID is the task's id, the same on every try and every delivery of the job: a
    second copy (a worker killed between the mail server's acceptance and the job noted done)
    is one message to the recipient's mail client."""
    headers = {"Message-ID": message_id(self.request.id)} if self.request.id else None
    message = EmailMultiAlternatives(subject, body, from_email, to, headers=headers)
    if html:
        message.attach_alternative(html, "text/html")
    try:
        return message.send()
    except (SMTPException, OSError) as exc:
        if self.request.is_eager:
            logger.exception("E-mail “%s” to %s could not be sent", subject, ", ".join(to))
            return 0
        countdown = get_exponential_backoff_interval(
            factor=30, retries=self.request.retries, maximum=3600, full_jitter=True
        )
        raise self.retry(exc=exc, countdown=countdown) from exc


@shared_task(ignore_result=True)
def worker_heartbeat_task() -> None:
    """Queued by beat every minute: the time a worker last ran a task, for /health/ready."""
    from aimai_site.health import heartbeat_write

    heartbeat_write()


@shared_task(ignore_result=True)
def outbox_relay_task() -> int:
    """Queued by beat every minute: sends jobs the relay process has not (a backstop)."""
    from aimai_site.outbox import outbox_relay

    return outbox_relay()


@shared_task(ignore_result=True)
def outbox_prune_task() -> int:
    """Queued by beat daily: forgets finished outbox jobs after OUTBOX_KEEP_DAYS."""
    from aimai_site.outbox import outbox_prune

    return outbox_prune()
