"""What publishing a release would do, computed before anything is stored.

A reviewer sees the values the release adds, changes and removes against the release it
follows, and the headline index as it stands and as it would stand: each country's score,
rank and class now and after, from the engine run on the draft in memory (the same run that
publishing triggers, so the figures match the score set that follows).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from countries.index.bundle import outputs_document
from countries.index.engine import compute
from countries.index.reading import methodology_parse
from countries.models import Country, DataRelease, Indicator, Methodology, ReleaseChange, ScoreSet
from countries.scoring import score_inputs
from countries.services import release_diff

SHOWN_CHANGES = 300


@dataclass
class IndicatorChanges:
    code: str
    name: str
    added: int = 0
    changed: int = 0
    removed: int = 0


@dataclass
class CountryMove:
    iso3: str
    name: str
    score_now: float | None
    rank_now: int | None
    class_now: str
    score_after: float | None
    rank_after: int | None
    class_after: str

    @property
    def rank_shift(self) -> int | None:
        """Places gained (positive) or lost; None when the country is scored on one side only."""
        if self.rank_now is None or self.rank_after is None:
            return None
        return self.rank_now - self.rank_after

    @property
    def score_change(self) -> float | None:
        if self.score_now is None or self.score_after is None:
            return None
        return self.score_after - self.score_now


@dataclass
class PublishPreview:
    release: DataRelease
    base: DataRelease | None
    methodology: str = ""
    per_indicator: list[IndicatorChanges] = field(default_factory=list)
    changes: list[ReleaseChange] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)
    moves: list[CountryMove] = field(default_factory=list)
    flagged: list = field(default_factory=list)  # values an import flagged for review
    flagged_count: int = 0

    @property
    def changes_total(self) -> int:
        return sum(self.totals.values())

    @property
    def countries_moved(self) -> int:
        return sum(1 for m in self.moves if m.rank_shift)


def release_publish_preview(*, release: DataRelease) -> PublishPreview:
    base = release.corrects or DataRelease.objects.current()
    changes = release_diff(base, release)
    indicators = dict(Indicator.objects.values_list("pk", "code"))
    names = dict(Indicator.objects.values_list("code", "name"))
    countries = dict(Country.objects.values_list("pk", "iso3"))
    per: dict[str, IndicatorChanges] = {}
    for change in changes:
        code = indicators[change.indicator_id]
        entry = per.setdefault(code, IndicatorChanges(code, names[code]))
        setattr(entry, change.kind, getattr(entry, change.kind) + 1)
        change.iso3, change.code = countries[change.country_id], code
    changes.sort(key=lambda c: (c.code, c.iso3, c.year))
    preview = PublishPreview(
        release=release,
        base=base,
        per_indicator=sorted(per.values(), key=lambda e: e.code),
        changes=changes[:SHOWN_CHANGES],
        totals=dict(Counter(change.kind for change in changes)),
    )
    flagged = release.observations.exclude(flag="").select_related("country", "indicator")
    preview.flagged_count = flagged.count()
    preview.flagged = list(flagged.order_by("indicator__code", "country__name", "year")[:300])
    headline = Methodology.objects.headline()
    version = headline.versions.current() if headline else None
    if version is not None:
        preview.methodology = str(version)
        preview.moves = _moves(version, release, headline.slug)
    return preview


def _moves(version, release: DataRelease, slug: str) -> list[CountryMove]:
    observations, regions, _ = score_inputs(version=version, release=release)
    # ranks and classes only: the sensitivity analysis adds nothing the reviewer reads here
    parsed = methodology_parse(version.definition)
    result = compute(parsed, observations, regions, regions, sensitivity=False)
    after = {s["country"]: s for s in outputs_document(result)["scores"]}
    now = {}
    current = ScoreSet.objects.for_methodology(slug).current()
    if current is not None:
        now = {
            iso3: (aimai, rank, classification)
            for iso3, aimai, rank, classification in current.scores.values_list(
                "country__iso3", "aimai", "rank", "classification"
            )
        }
    names = dict(Country.objects.filter(iso3__in=set(now) | set(after)).values_list("iso3", "name"))
    moves = []
    for iso3 in sorted(set(now) | set(after)):
        score_now, rank_now, class_now = now.get(iso3, (None, None, ""))
        later = after.get(iso3, {})
        if rank_now is None and later.get("rank") is None:
            continue  # unscored before and after: nothing to review
        moves.append(
            CountryMove(
                iso3,
                names.get(iso3, iso3),
                score_now,
                rank_now,
                class_now,
                later.get("aimai"),
                later.get("rank"),
                later.get("classification", ""),
            )
        )
    # biggest moves first, then countries scored on one side only, then by rank
    moves.sort(
        key=lambda m: (
            -abs(m.rank_shift or 0),
            m.rank_shift is not None,
            m.rank_after or m.rank_now or 10_000,
        )
    )
    return moves
