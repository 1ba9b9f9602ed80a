"""Writes of the countries app. Published releases change only through here (and never)."""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from aimai_site.errors import DomainError, Forbidden
from countries.choices import ReleaseAction, ReleaseStatus
from countries.index.digest import observations_digest, sha256_hex
from countries.models import DataRelease, Observation, ReleaseChange, ReleaseEvent
from countries.publication import Publication, index_recompute_after_commit, publication_record

RELEASE_ALREADY_PUBLISHED = _(
    "Data release “{slug}” is already published; publish a correction as a new release."
)
SLUG_TAKEN = _("A data release “{slug}” already exists.")
RELEASE_EMPTY = _("Data release “{slug}” has no observations; there is nothing to publish.")
RELEASE_NOT_DRAFT = _(
    "Data release “{slug}” is in review: only a draft changes (a reviewer can return it to draft)."
)
RELEASE_FROZEN = _(
    "Data release “{slug}” is published and never changes: start a correction (a new draft "
    "copied from it) and change that."
)
RELEASE_NOT_RETURNABLE = _(
    "Data release “{slug}” is {status}; only a release in review can be returned."
)
RELEASE_NOT_PUBLISHABLE = _(
    "Data release “{slug}” is {status}; only a release in review can be published."
)
FOUR_EYES = _(
    "You edited data release “{slug}”, so you cannot publish it: another reviewer, who did "
    "not edit it, must."
)
# what a person who is not a reviewer was refused
NOT_A_REVIEWER_RETURN = _("Only reviewers may return data releases.")
NOT_A_REVIEWER_PUBLISH = _("Only reviewers may publish data releases.")
REASON_REQUIRED = _("Say why the release goes back to draft: the editors read the reason.")
NOTE_REQUIRED = _(
    "A correction needs its public note: what changed and why (it is shown on every country "
    "page it touches)."
)
PUBLISH_PERMISSION = "countries.publish_datarelease"


def release_require_draft(release: DataRelease) -> None:
    if release.status == ReleaseStatus.PUBLISHED:
        raise DomainError(RELEASE_FROZEN.format(slug=release.slug), code="published")
    if release.status != ReleaseStatus.DRAFT:
        raise DomainError(RELEASE_NOT_DRAFT.format(slug=release.slug), code="not_draft")


def release_editor_add(release: DataRelease, user) -> None:
    """`user` changed the release's content: from now on they cannot publish it."""
    if user is not None and user.pk:
        release.editors.add(user)


def release_event(release: DataRelease, action: str, user, reason: str = "") -> ReleaseEvent:
    return ReleaseEvent.objects.create(
        release=release, action=action, actor=user if user and user.pk else None, reason=reason
    )


def _require_reviewer(user, refused) -> None:
    """`refused`: what a person without the reviewer's permission is told."""
    if user is None or not user.has_perm(PUBLISH_PERMISSION):
        raise Forbidden(str(refused))


@transaction.atomic
def data_release_create(
    *,
    slug: str,
    name: str,
    release_date: date,
    user=None,
    description: str = "",
    corrects: DataRelease | None = None,
    change_note: str = "",
) -> DataRelease:
    if DataRelease.objects.filter(slug=slug).exists():
        raise DomainError(SLUG_TAKEN.format(slug=slug), code="slug_taken")
    release = DataRelease(
        slug=slug,
        name=name,
        release_date=release_date,
        description=description,
        corrects=corrects,
        change_note=change_note,
    )
    release.full_clean()
    release.save()
    release_event(release, ReleaseAction.CREATED, user)
    return release


@transaction.atomic
def data_release_submit(*, release: DataRelease, user) -> DataRelease:
    """An editor hands a draft to the reviewers; nothing in it changes while they look."""
    release = DataRelease.objects.select_for_update().get(pk=release.pk)
    release_require_draft(release)
    if not release.observations.exists():
        raise DomainError(RELEASE_EMPTY.format(slug=release.slug), code="empty")
    if release.corrects_id and not release.change_note.strip():
        raise DomainError(str(NOTE_REQUIRED), code="note_required")
    release.status = ReleaseStatus.IN_REVIEW
    release.save(update_fields=["status"])
    release_event(release, ReleaseAction.SUBMITTED, user)
    return release


@transaction.atomic
def data_release_return(*, release: DataRelease, user, reason: str) -> DataRelease:
    """A reviewer sends a release in review back to its editors, saying why."""
    _require_reviewer(user, NOT_A_REVIEWER_RETURN)
    release = DataRelease.objects.select_for_update().get(pk=release.pk)
    if release.status != ReleaseStatus.IN_REVIEW:
        raise DomainError(
            RELEASE_NOT_RETURNABLE.format(
                slug=release.slug, status=release.get_status_display().lower()
            ),
            code="not_in_review",
        )
    if not (reason or "").strip():
        raise DomainError(str(REASON_REQUIRED), code="reason_required")
    release.status = ReleaseStatus.DRAFT
    release.save(update_fields=["status"])
    release_event(release, ReleaseAction.RETURNED, user, reason.strip())
    return release


def observation_rows(observations) -> list[dict]:
    """The public content of observations, as the digest and the downloads see it."""
    return [
        {
            "indicator": o["indicator__code"],
            "country": o["country__iso3"],
            "year": o["year"],
            "value": o["value"],
            "source_url": o["source_url"],
            "note": o["note"],
        }
        for o in observations.values(
            "indicator__code", "country__iso3", "year", "value", "source_url", "note"
        )
    ]


def data_release_digest(*, release: DataRelease) -> str:
    """SHA-256 of the release's observations in canonical form."""
    return observations_digest(observation_rows(Observation.objects.filter(release=release)))


def data_release_publish_check(*, release: DataRelease, user=None) -> None:
    """Raise DomainError when `user` may not publish `release` now (see below)."""
    if release.status == ReleaseStatus.PUBLISHED:
        raise DomainError(RELEASE_ALREADY_PUBLISHED.format(slug=release.slug), code="published")
    if user is not None:
        _require_reviewer(user, NOT_A_REVIEWER_PUBLISH)
        if release.status != ReleaseStatus.IN_REVIEW:
            raise DomainError(
                RELEASE_NOT_PUBLISHABLE.format(
                    slug=release.slug, status=release.get_status_display().lower()
                ),
                code="not_in_review",
            )
        if release.editors.filter(pk=user.pk).exists():
            raise Forbidden(FOUR_EYES.format(slug=release.slug), code="four_eyes")
    if not release.observations.exists():
        raise DomainError(RELEASE_EMPTY.format(slug=release.slug), code="empty")
    if release.corrects_id and not release.change_note.strip():
        raise DomainError(str(NOTE_REQUIRED), code="note_required")


@transaction.atomic
def data_release_publish(*, release: DataRelease, user=None) -> DataRelease:
    """Publish a release: fix its content digest, record what it changed, and freeze it.

    A person publishes only a release in review, holds the reviewer's permission and did not
    edit it (four eyes; no account is exempt). `user=None` is the shipped-files loader, which
    publishes the cited files it was given. After this, database triggers reject any change
    to the release or its observations.
    """
    release = DataRelease.objects.select_for_update().get(pk=release.pk)
    data_release_publish_check(release=release, user=user)
    previous = release.corrects or DataRelease.objects.current()
    ReleaseChange.objects.bulk_create(release_diff(previous, release), batch_size=1000)
    release.content_digest = data_release_digest(release=release)
    release.status = ReleaseStatus.PUBLISHED
    release.published_at = timezone.now()
    release.published_by = user
    release.full_clean()
    release.save(update_fields=["content_digest", "status", "published_at", "published_by"])
    release_event(release, ReleaseAction.PUBLISHED, user)
    note = release.change_note.strip()
    publication_record(
        Publication(
            kind="data_release",
            identifier=release.slug,
            url=f"/api/v1/releases/{release.slug}/",
            digest=release.content_digest,
            note_digest=sha256_hex(note.encode("utf-8")) if note else "",
        )
    )
    index_recompute_after_commit()
    return release


def release_diff(old: DataRelease | None, new: DataRelease) -> list[ReleaseChange]:
    """Every value `new` adds, changes or removes against `old` (unsaved rows)."""

    def values(release):
        if release is None:
            return {}
        rows = Observation.objects.filter(release=release).order_by()
        return {
            (c, i, y): v
            for c, i, y, v in rows.values_list("country_id", "indicator_id", "year", "value")
        }

    before, after = values(old), values(new)
    changes = []
    for key in after.keys() | before.keys():
        was, now = before.get(key), after.get(key)
        if was == now:
            continue
        kind = (
            ReleaseChange.Kind.ADDED
            if was is None
            else ReleaseChange.Kind.REMOVED
            if now is None
            else ReleaseChange.Kind.CHANGED
        )
        country, indicator, year = key
        changes.append(
            ReleaseChange(
                release=new,
                country_id=country,
                indicator_id=indicator,
                year=year,
                kind=kind,
                old_value=was,
                new_value=now,
            )
        )
    return changes


@transaction.atomic
def data_release_draft_from(
    *,
    source: DataRelease,
    slug: str,
    name: str,
    release_date: date,
    user=None,
    change_note: str = "",
) -> DataRelease:
    """Start a correction: a new draft holding a copy of every observation of `source`.

    Editors then fix what is wrong in the draft, say what changed and why, and a reviewer
    publishes it; the source stays as it was. A release is always a complete data set, so
    the new one can replace it as current.
    """
    draft = data_release_create(
        slug=slug,
        name=name,
        release_date=release_date,
        user=user,
        description=gettext("Correction of “{name}” ({slug}).").format(
            name=source.name, slug=source.slug
        ),
        corrects=source if source.is_published else None,
        change_note=change_note,
    )
    Observation.objects.bulk_create(
        [
            Observation(
                release=draft,
                country_id=o.country_id,
                indicator_id=o.indicator_id,
                year=o.year,
                value=o.value,
                source_url=o.source_url,
                note=o.note,
                provenance=f"copied from release {source.slug}",
            )
            for o in Observation.objects.filter(release=source).order_by("pk")
        ],
        batch_size=500,
    )
    return draft
