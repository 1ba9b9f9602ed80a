"""Writes of the countries app. Published releases change only through here (and never)."""

from django.db import transaction
from django.utils import timezone

from aimai_site.errors import DomainError
from countries.choices import ReleaseStatus
from countries.index.digest import observations_digest
from countries.models import DataRelease, Observation

RELEASE_ALREADY_PUBLISHED = (
    "Data release “{slug}” is already published; publish a correction as a new release."
)
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
    return release
