"""The data releases and methodologies shipped in the repository, loaded in the order they were
published: the November 2026 demo release scored with the 1.x methodologies, then the world
edition scored with 2.0; each with the translations of its texts shipped beside it. Each step
is idempotent, so loading again changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from countries.backcast import backcast_compute
from countries.loaders import DEMO_DIR, WORLD_DIR, LoadReport, demo_data_load, world_data_load
from countries.models import MethodologyVersion, ScoreSet
from countries.scoring import SHIPPED_EDITIONS, index_recompute, shipped_methodologies_load
from countries.translatable import release_translations_load, shipped_translations_load

# each release's loader, in publication order (the last one is the current release)
RELEASE_LOADERS: dict[str, Callable[[], LoadReport]] = {
    "demo-2026-11": demo_data_load,
    "world-2026": world_data_load,
}
# where each release's files are (its translations.yaml among them)
RELEASE_DIRECTORIES: dict[str, Path] = {"demo-2026-11": DEMO_DIR, "world-2026": WORLD_DIR}


@dataclass
class ShippedLoad:
    releases: list[LoadReport] = field(default_factory=list)
    versions: list[MethodologyVersion] = field(default_factory=list)
    score_sets: list[tuple[ScoreSet, bool]] = field(default_factory=list)
    translations: int = 0  # translations stored by this load (0 when all were there)


def shipped_load() -> ShippedLoad:
    """Every shipped release, each followed by the methodology versions made for it and the
    score sets of those versions on it; then the headline methodology applied to the earlier
    releases (back-casts), so that the index shows change over time with one method."""
    done = ShippedLoad()
    for slug, loader in RELEASE_LOADERS.items():
        report = loader()
        done.releases.append(report)
        done.translations += release_translations_load(report.release, RELEASE_DIRECTORIES[slug])
        versions = shipped_methodologies_load(SHIPPED_EDITIONS[slug])
        done.versions += versions
        done.translations += sum(shipped_translations_load(version) for version in versions)
        done.score_sets += index_recompute(release=report.release)
    done.score_sets += backcast_compute()
    return done
