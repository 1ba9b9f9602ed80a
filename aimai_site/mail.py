"""E-mail leaves through a task once the change it tells of is committed: a mail server that
is down never undoes, delays or hides a saved change, and the task tries again later."""

import logging
import re

from django.db import transaction

from aimai_site.tasks import mail_send_task

logger = logging.getLogger(__name__)

_LINE_BREAKS = re.compile(r"\s*[\r\n]+\s*")


def one_line(text: str) -> str:
    """A subject is one header line, whatever the names put into it."""
    return _LINE_BREAKS.sub(" ", text).strip()


def mail_queue(
    subject: str, body: str, to: list[str], *, from_email=None, html: str | None = None
) -> None:
    """Queue one message now (outside a transaction, or where the caller has committed)."""
    try:
        mail_send_task.delay(
            subject=one_line(subject), body=body, to=to, from_email=from_email, html=html
        )
    except Exception:  # the broker is down: the change stands, the failure is logged
        logger.exception("E-mail “%s” to %s could not be queued", subject, ", ".join(to))


def mail_after_commit(messages: list[tuple[str, str, list[str]]]) -> None:
    """Queue (subject, body, recipients) messages once the current transaction commits."""

    def queue() -> None:
        for subject, body, to in messages:
            mail_queue(subject, body, to)

    transaction.on_commit(queue, robust=True)
