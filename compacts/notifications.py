"""E-mail to the owners of organisations when something awaits them: a compact that names
them, a signature, a review's outcome, a report to confirm. Queued after the transaction
commits, so nobody is told of a change that was rolled back, and a mail server that is down
never undoes or hides one."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings

from aimai_site.mail import mail_after_commit
from compacts.choices import Role
from compacts.models import Compact, Membership, Organisation


def owners_emails(organisations: Iterable[Organisation], *, but=None) -> list[str]:
    emails = Membership.objects.filter(
        organisation__in=list(organisations), role=Role.OWNER
    ).values_list("user__email", flat=True)
    skip = (getattr(but, "email", "") or "").lower()
    return sorted({e for e in emails if e and e.lower() != skip})


def notify(organisations: Iterable[Organisation], subject: str, body: str, *, but=None) -> None:
    """Tell the owners of `organisations` (except `but`, who acted) once the change commits."""
    recipients = owners_emails(organisations, but=but)
    if not recipients:
        return
    subject = f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}"
    mail_after_commit([(subject, body, [to]) for to in recipients])  # nobody sees the others


def compact_link(compact: Compact) -> str:
    return f"{settings.SITE_URL}{compact.get_absolute_url()}"


def compact_notify(compact: Compact, subject: str, text: str, *, but=None, only=None) -> None:
    """`text` about `compact` to the owners of its parties (or of `only`)."""
    organisations = only or [p.organisation for p in compact.parties.select_related("organisation")]
    notify(
        organisations,
        f"{subject}: {compact.title}",
        f"{text}\n\n{compact.title} ({compact.reference})\n{compact_link(compact)}\n",
        but=but,
    )


def editors_notify(compact: Compact, subject: str, text: str) -> None:
    """`text` to the editors, who review compacts."""
    from django.contrib.auth import get_user_model

    emails = (
        get_user_model()
        .objects.filter(groups__name="Editors", is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if not emails:
        return
    subject = f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}: {compact.title}"
    body = f"{text}\n\n{compact.title} ({compact.reference})\n{compact_link(compact)}\n"
    mail_after_commit([(subject, body, [to]) for to in sorted(set(emails))])
