"""The index over time: the headline methodology applied to every data release.

A method changes; comparing a 2025 score made with one method and a 2026 score made with another
shows the method, not the world. So, as statistical offices recompute their whole series when a
method changes, the latest published version of the headline methodology is applied to each
earlier published release that it has not scored yet. Each result is a score set like any other
(digest, registry entry, bundle), marked as a back-cast: it is never the current score set.
"""

from __future__ import annotations

from countries.models import DataRelease, Methodology, ScoreSet
from countries.scoring import Progress, score_set_compute

NO_HEADLINE = "No headline methodology with a published version: nothing to back-cast."


def backcast_targets() -> tuple[object, list[DataRelease]]:
    """(the headline's latest published version, the published releases it has not scored),
    oldest release first; the current release is scored by the recompute, not back-cast."""
    headline = Methodology.objects.headline()
    version = headline.versions.current() if headline else None
    if version is None:
        return None, []
    current = DataRelease.objects.current()
    scored = ScoreSet.objects.filter(methodology_version=version).values("release")
    releases = (
        DataRelease.objects.published()
        .exclude(pk__in=scored)
        .exclude(pk=current.pk if current else None)
        .order_by("published_at", "pk")
    )
    return version, list(releases)


def backcast_compute(*, progress: Progress | None = None) -> list[tuple[ScoreSet, bool]]:
    """Score every earlier published release that has no score set of the headline's latest
    version, with that version, as back-casts. Returns [(score set, created)].

    Idempotent: a release once scored is no longer a target, and identical inputs never make a
    second score set (the inputs digest is unique).
    """
    version, releases = backcast_targets()
    return [
        score_set_compute(version=version, release=release, progress=progress, backcast=True)
        for release in releases
    ]
