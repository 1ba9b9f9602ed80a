"""Writes of the countries app. Published releases change only through here (and never)."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from aimai_site.errors import DomainError
from countries.choices import ReleaseStatus
from countries.index.digest import observations_digest
from countries.models import DataRelease, Observation
from countries.publication import Publication, index_recompute_after_commit, publication_record

RELEASE_ALREADY_PUBLISHED = (
    "Data release “{slug}” is already published; publish a correction as a new release."
)
SLUG_TAKEN = "A data release “{slug}” already exists."
RELEASE_EMPTY = "Data release “{slug}” has no observations; there is nothing to publish."


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


@transaction.atomic
def data_release_publish(*, release: DataRelease) -> DataRelease:
    """Publish a draft release: fix its content digest and freeze it.

    Preconditions: the release is a draft and has at least one observation.
    After this, database triggers reject any change to the release or its observations.
    """
    release = DataRelease.objects.select_for_update().get(pk=release.pk)
    if release.status != ReleaseStatus.DRAFT:
        raise DomainError(RELEASE_ALREADY_PUBLISHED.format(slug=release.slug), code="published")
    if not release.observations.exists():
        raise DomainError(RELEASE_EMPTY.format(slug=release.slug), code="empty")
    release.content_digest = data_release_digest(release=release)
    release.status = ReleaseStatus.PUBLISHED
    release.published_at = timezone.now()
    release.full_clean()
    release.save(update_fields=["content_digest", "status", "published_at"])
    publication_record(
        Publication(
            kind="data_release",
            identifier=release.slug,
            url=f"/api/v1/releases/{release.slug}/",
            digest=release.content_digest,
        )
    )
    index_recompute_after_commit()
    return release


@transaction.atomic
def data_release_draft_from(
    *, source: DataRelease, slug: str, name: str, release_date: date
) -> DataRelease:
    """Start a correction: a new draft holding a copy of every observation of `source`.

    Editors then fix what is wrong in the draft and publish it; the source stays as it was.
    A release is always a complete data set, so the new one can replace it as current.
    """
    if DataRelease.objects.filter(slug=slug).exists():
        raise DomainError(SLUG_TAKEN.format(slug=slug), code="slug_taken")
    draft = DataRelease(
        slug=slug,
        name=name,
        release_date=release_date,
        description=f"Correction of “{source.name}” ({source.slug}).",
    )
    draft.full_clean()
    draft.save()
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
