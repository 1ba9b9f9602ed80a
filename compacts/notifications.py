"""E-mail to the owners of organisations when something awaits them: a compact that names
them, a signature, a review's outcome, a report to confirm. Queued after the transaction
commits, so nobody is told of a change that was rolled back, and a mail server that is down
never undoes or hides one. Each message is worded in its recipient's language: callers pass
the text marked for translation (gettext_lazy) and its values, composed here per recipient."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import translation
from django.utils.dateformat import format as date_format
from django.utils.functional import lazy

from aimai_site.languages import user_language
from aimai_site.mail import mail_after_commit
from compacts.choices import Role
from compacts.models import Compact, Membership, Organisation

# a label lower-cased once it is read in the recipient's language: "named as data steward"
lowered = lazy(lambda text: str(text).lower(), str)

# a date written out once it is read in the recipient's language: "05 March 2025"
dated = lazy(lambda day: date_format(day, "d F Y"), str)


def _worded(text, params: dict | None) -> str:
    """`text` in the active language, with its values filled in."""
    return str(text) % params if params else str(text)


def _one_each(users) -> list:
    """One user per e-mail address, by address."""
    by_email = {}
    for user in users:
        if user.email:
            by_email.setdefault(user.email.lower(), user)
    return [by_email[email] for email in sorted(by_email)]


def owners(organisations: Iterable[Organisation], *, but=None) -> list:
    """The owners of `organisations` with an e-mail address, `but` left out."""
    users = [
        m.user
        for m in Membership.objects.filter(
            organisation__in=list(organisations), role=Role.OWNER
        ).select_related("user")
    ]
    skip = (getattr(but, "email", "") or "").lower()
    return [u for u in _one_each(users) if u.email.lower() != skip]


def owners_emails(organisations: Iterable[Organisation], *, but=None) -> list[str]:
    return [u.email for u in owners(organisations, but=but)]


def compact_link(compact: Compact) -> str:
    return f"{settings.SITE_URL}{compact.get_absolute_url()}"


def _compact_mails(users, compact: Compact, subject, text, params: dict | None) -> list:
    """One message per user about `compact`, each in its recipient's language."""
    mails = []
    for user in users:  # nobody sees the others
        with translation.override(user_language(user)):
            mails.append(
                (
                    f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}: {compact.title}",
                    f"{_worded(text, params)}\n\n{compact.title} ({compact.reference})\n"
                    f"{compact_link(compact)}\n",
                    [user.email],
                )
            )
    return mails


def compact_notify(
    compact: Compact, subject, text, *, params: dict | None = None, but=None, only=None
) -> None:
    """`text` (with `params`) about `compact` to the owners of its parties (or of `only`),
    `but` who acted; `subject` and `text` are marked for translation, read per recipient."""
    organisations = only or [p.organisation for p in compact.parties.select_related("organisation")]
    recipients = owners(organisations, but=but)
    if recipients:
        mail_after_commit(_compact_mails(recipients, compact, subject, text, params))


def editors_notify(compact: Compact, subject, text) -> None:
    """`text` to the editors, who review compacts."""
    editors = (
        get_user_model()
        .objects.filter(groups__name="Editors", is_active=True)
        .exclude(email="")
        .distinct()
    )
    recipients = _one_each(editors)
    if recipients:
        mail_after_commit(_compact_mails(recipients, compact, subject, text, None))
