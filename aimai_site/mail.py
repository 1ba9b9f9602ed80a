"""E-mail leaves through a task once the change it tells of is committed: a mail server that
is down never undoes, delays or hides a saved change, and the task tries again later. Each
message is an outbox job recorded with the change: a broker that is down loses none."""

import re

from aimai_site.outbox import outbox_enqueue

MAIL_TASK = "aimai_site.tasks.mail_send_task"

_LINE_BREAKS = re.compile(r"\s*[\r\n]+\s*")


def one_line(text: str) -> str:
    """A subject is one header line, whatever the names put into it."""
    return _LINE_BREAKS.sub(" ", text).strip()


def mail_queue(
    subject: str, body: str, to: list[str], *, from_email=None, html: str | None = None
) -> None:
    """Record one message in the current transaction; it is sent once that commits."""
    outbox_enqueue(
        MAIL_TASK,
        {
            "subject": one_line(subject),
            "body": body,
            "to": list(to),
            "from_email": from_email,
            "html": html,
        },
    )


def mail_after_commit(messages: list[tuple[str, str, list[str]]]) -> None:
    """Record (subject, body, recipients) messages with the current transaction's change:
    sent once it commits, never if it rolls back."""
    for subject, body, to in messages:
        mail_queue(subject, body, to)
