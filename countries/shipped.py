"""The data releases and methodologies shipped in the repository, loaded in the order they were
published: the November 2026 demo release scored with the 1.x methodologies, then the world
edition scored with 2.0. Each step is idempotent, so loading again changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from countries.backcast import backcast_compute
from countries.loaders import LoadReport, demo_data_load, world_data_load
from countries.models import MethodologyVersion, ScoreSet
from countries.scoring import SHIPPED_EDITIONS, index_recompute, shipped_methodologies_load

# each release's loader, in publication order (the last one is the current release)
RELEASE_LOADERS: dict[str, Callable[[], LoadReport]] = {
    "demo-2026-11": demo_data_load,
    "world-2026": world_data_load,
}


@dataclass
class ShippedLoad:
    releases: list[LoadReport] = field(default_factory=list)
    versions: list[MethodologyVersion] = field(default_factory=list)
    score_sets: list[tuple[ScoreSet, bool]] = field(default_factory=list)


def shipped_load() -> ShippedLoad:
    """Every shipped release, each followed by the methodology versions made for it and the
    score sets of those versions on it; then the headline methodology applied to the earlier
    releases (back-casts), so that the index shows change over time with one method."""
    done = ShippedLoad()
    for slug, loader in RELEASE_LOADERS.items():
        report = loader()
        done.releases.append(report)
        done.versions += shipped_methodologies_load(SHIPPED_EDITIONS[slug])
        done.score_sets += index_recompute(release=report.release)
    done.score_sets += backcast_compute()
    return done
