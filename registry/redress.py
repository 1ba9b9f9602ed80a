"""Accountability and redress: concerns filed by members, moderated by editors, logged.

Filing and resolution are entries of the log. The filer is in the log only as a salted
commitment; the concern's text enters as a salted digest at filing, and is shown (with its
salt) only once an editor accepts it, so that what is published can be checked against what
was filed, and a declined text cannot be guessed.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from aimai_site.accounts import has_verified_email
from aimai_site.errors import DomainError
from registry import merkle
from registry.models import Concern
from registry.services import Event, commitment_create, registry_append

MAX_EVIDENCE = 10
# messages, translated where they are raised
NOT_VERIFIED = gettext_noop("Verify your e-mail address before filing a concern.")
NOT_MODERATED = gettext_noop("Concern %(pk)s is %(status)s; it cannot be moderated.")
NOT_RESOLVED = gettext_noop("Concern %(pk)s is %(status)s; it cannot be resolved.")


class ConcernConflict(DomainError):
    """A concern its subject's state refuses (an appeal made twice, or of no decision)."""

    code = "conflict"
    http_status = 409


# Checks other apps add for concerns about their own things (the registry imports none of
# them): `check(user=..., reference=...)` raises PermissionDenied, DomainError or
# ConcernConflict to refuse.
concern_checks: dict[str, Callable[..., None]] = {}


def concern_check_register(target: str, check: Callable[..., None]) -> None:
    concern_checks[target] = check


def concern_content(concern: Concern) -> dict:
    """What the filer submitted, as hashed into the log at filing."""
    return {
        "target": concern.target,
        "country": concern.country,
        "indicator": concern.indicator,
        "reference": concern.reference,
        "category": concern.category,
        "description": concern.description,
        "evidence": list(concern.evidence),
    }


def _digest(document: dict, salt: str = "") -> str:
    return hashlib.sha256(salt.encode() + merkle.canonical_json(document)).hexdigest()


def evidence_clean(lines: list[str]) -> list[str]:
    links = [line.strip() for line in lines if line.strip()]
    if len(links) > MAX_EVIDENCE:
        raise DomainError(
            ngettext(
                "At most %(count)d evidence link, please.",
                "At most %(count)d evidence links, please.",
                MAX_EVIDENCE,
            )
            % {"count": MAX_EVIDENCE},
            code="invalid",
        )
    validate = URLValidator(schemes=["http", "https"])
    for link in links:
        try:
            validate(link)
        except ValidationError:
            raise DomainError(
                _("“%(link)s” is not a web address.") % {"link": link}, code="invalid"
            ) from None
    return links


@transaction.atomic
def concern_file(*, user, **fields) -> Concern:
    """File a concern and enter it in the log (digest of its content, commitment of its filer)."""
    if not has_verified_email(user):
        raise DomainError(_(NOT_VERIFIED), code="unverified")
    check = concern_checks.get(fields.get("target", ""))
    if check is not None:
        check(user=user, reference=fields.get("reference", ""))
    concern = Concern(filed_by=user, **fields)
    concern.country = concern.country.upper()
    concern.evidence = evidence_clean(concern.evidence)
    # salted, so that a declined concern's text cannot be guessed from the log; the salt is
    # shown with the text once it is published, so that anyone can check it
    concern.content_salt = secrets.token_hex(32)
    concern.content_digest = _digest(concern_content(concern), concern.content_salt)
    concern.filer_commitment = commitment_create(user.email, user=user)
    concern.full_clean()
    concern.save()
    registry_append(
        [
            Event(
                event="concern.filed",
                identifier=f"concern-{concern.pk}",
                url=f"/registry/concerns/{concern.pk}/",
                digest=concern.content_digest,
                country=concern.country,
                commitments={"filed_by": concern.filer_commitment},
            )
        ]
    )
    return concern


def _locked(concern: Concern, allowed: set[str], refusal: str) -> Concern:
    """The concern, locked; refused (`refusal`, with its pk and status) unless its status is
    one of `allowed`."""
    concern = Concern.objects.select_for_update().get(pk=concern.pk)
    if concern.status not in allowed:
        raise DomainError(
            _(refusal) % {"pk": concern.pk, "status": concern.get_status_display()},
            code="status",
        )
    return concern


@transaction.atomic
def concern_moderate(*, concern: Concern, accept: bool, response: str = "") -> Concern:
    """Accept a filed concern (its text becomes public) or decline it (with the reason)."""
    concern = _locked(concern, {Concern.Status.FILED}, NOT_MODERATED)
    concern.status = Concern.Status.ACCEPTED if accept else Concern.Status.REJECTED
    concern.response = response
    concern.moderated_at = timezone.now()
    concern.save(update_fields=["status", "response", "moderated_at"])
    return concern


@transaction.atomic
def concern_resolve(*, concern: Concern, resolution: str) -> Concern:
    """Resolve an accepted concern; the resolution enters the log with the concern's digest."""
    if not resolution.strip():
        raise DomainError(_("Write the resolution before resolving."), code="invalid")
    concern = _locked(concern, {Concern.Status.ACCEPTED}, NOT_RESOLVED)
    concern.status = Concern.Status.RESOLVED
    concern.response = resolution
    concern.resolved_at = timezone.now()
    concern.save(update_fields=["status", "response", "resolved_at"])
    registry_append(
        [
            Event(
                event="concern.resolved",
                identifier=f"concern-{concern.pk}",
                url=f"/registry/concerns/{concern.pk}/",
                digest=_digest({"concern": concern.content_digest, "resolution": resolution}),
                country=concern.country,
            )
        ]
    )
    return concern
