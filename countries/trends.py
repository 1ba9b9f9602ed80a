"""Change over time: each country's headline scores on every data release, with one method.

The series is the method of the current headline score set applied to each published release:
the current set on the current release, the back-casts (countries/backcast.py) on the earlier
ones. Scores made with an older method are not mixed in: a change in the line is then a change
in the data, not in the method. Read in one query, whatever the number of releases.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aimai_site.errors import InvalidInput, NotFoundError
from countries.choices import Classification
from countries.current import current_pointer
from countries.models import Country, Score, ScoreSet
from countries.selectors import CountryScores, peers_nearest, score_explain

SERIES = ("aimai", "capability", "solidarity", "burden")
SERIES_LABELS = {
    "aimai": "AIMAI",
    "capability": gettext_lazy("Capability"),
    "solidarity": gettext_lazy("Solidarity"),
    "burden": gettext_lazy("Burden"),
}
# colours as presentation attributes (no style attribute: the CSP forbids inline styles)
SERIES_COLOURS = {
    "aimai": "#1d3557",
    "capability": "#b23a48",
    "solidarity": "#1b7f5b",
    "burden": "#b7791f",
}
SLUG = re.compile(r"[-a-zA-Z0-9_]{1,80}")


@dataclass(frozen=True)
class TrendPoint:
    """One country's headline scores on one data release."""

    release: str  # the release's slug
    release_name: str
    release_date: date
    score_set: str  # its digest
    backcast: bool
    current: bool
    aimai: float | None
    capability: float | None
    solidarity: float | None
    burden: float | None
    rank: int | None
    classification: str

    @property
    def classification_label(self) -> str:
        return Classification(self.classification).label


def country_trends(iso3s) -> dict[str, list[TrendPoint]]:
    """{ISO3: its points, oldest release first} for the countries asked for (unknown or
    unscored codes are left out). One query, whatever the number of releases."""
    codes = sorted({code.upper() for code in iso3s})
    digest = current_pointer().digest
    if not codes or not digest:
        return {}
    rows = (
        Score.objects.filter(
            country__iso3__in=codes,
            score_set__methodology_version__score_sets__digest=digest,
            score_set__release__status="published",
        )
        .order_by("score_set__release__published_at", "score_set__release_id")
        .values(
            "country__iso3",
            "score_set__release_id",
            "score_set__release__slug",
            "score_set__release__name",
            "score_set__release__release_date",
            "score_set__digest",
            "score_set__backcast",
            "score_set__created_at",
            *SERIES,
            "rank",
            "classification",
        )
    )
    chosen: dict[tuple[str, int], dict] = {}
    for row in rows:
        key = (row["country__iso3"], row["score_set__release_id"])
        # one set per release: the current one, else the set that was current for that
        # release, else its newest back-cast
        rank = (
            row["score_set__digest"] != digest,
            row["score_set__backcast"],
            -row["score_set__created_at"].timestamp(),
        )
        if key not in chosen or rank < chosen[key][0]:
            chosen[key] = (rank, row)
    trends: dict[str, list[TrendPoint]] = {}
    for (iso3, _release), (_rank, row) in chosen.items():  # in release order, as read
        trends.setdefault(iso3, []).append(
            TrendPoint(
                release=row["score_set__release__slug"],
                release_name=row["score_set__release__name"],
                release_date=row["score_set__release__release_date"],
                score_set=row["score_set__digest"],
                backcast=row["score_set__backcast"],
                current=row["score_set__digest"] == digest,
                aimai=row["aimai"],
                capability=row["capability"],
                solidarity=row["solidarity"],
                burden=row["burden"],
                rank=row["rank"],
                classification=row["classification"],
            )
        )
    return trends


def trend_point_chosen(points: list[TrendPoint], slug: str | None) -> TrendPoint | None:
    """The point of the release a reader chose (`?release=`), or None for the current one.
    400 for a slug that cannot be one, 404 for a release without this country's score."""
    if not slug:
        return None
    if not SLUG.fullmatch(slug):
        raise InvalidInput(
            _("A release is named by its slug: letters, digits, - and _."), field="release"
        )
    found = next((p for p in points if p.release == slug), None)
    if found is None:
        raise NotFoundError(
            _("No headline score on a data release “%(slug)s” for this country.") % {"slug": slug}
        )
    return None if found.current else found


def country_release_scores(*, country: Country, point: TrendPoint) -> CountryScores:
    """A country's headline scores in the score set of an earlier release (a back-cast, or the
    set that was current then), explained, with its peers in that set."""
    score_set = ScoreSet.objects.with_related().defer("outputs_json").get(digest=point.score_set)
    explanation = score_explain(score_set=score_set, iso3=country.iso3)
    score = explanation.score
    methodology = score_set.methodology_version.methodology
    return CountryScores(
        scores=[(methodology, score_set, score)],
        explanation=explanation,
        peers=peers_nearest(score_set=score_set, score=score),
    )


@dataclass(frozen=True)
class TrendLine:
    key: str
    label: str
    colour: str
    points: list[tuple[float, float, float, str]]  # x, y, value, release name

    @property
    def polyline(self) -> str:
        return " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in self.points)


@dataclass(frozen=True)
class TrendChart:
    """A small line chart's geometry, drawn as SVG by the template (no script needed)."""

    width: int
    height: int
    lines: list[TrendLine]
    ticks: list[tuple[float, int]]  # y, value
    releases: list[tuple[float, str]]  # x, name
    left: int
    right: int


# a small viewBox, so that the labels stay legible when a phone scales the chart down
WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 480, 240, 36, 10, 12, 36
INSET = 48  # room for the release labels under the first and last columns


def trend_chart(points: list[TrendPoint]) -> TrendChart | None:
    """AIMAI and the three dimensions on one scale, one column per release; None without a
    value to draw."""
    values = [getattr(p, key) for p in points for key in SERIES if getattr(p, key) is not None]
    if not values:
        return None
    low = min(0, int(min(values) // 20) * 20)
    high = max(100, -int(-max(values) // 20) * 20)
    span = WIDTH - LEFT - RIGHT - 2 * INSET
    step = span / (len(points) - 1) if len(points) > 1 else 0

    def x(i: int) -> float:
        return LEFT + INSET + (i * step if len(points) > 1 else span / 2)

    def y(value: float) -> float:
        return TOP + (high - value) / (high - low) * (HEIGHT - TOP - BOTTOM)

    lines = [
        TrendLine(
            key,
            str(SERIES_LABELS[key]),
            SERIES_COLOURS[key],
            [
                (x(i), y(getattr(p, key)), getattr(p, key), p.release_name)
                for i, p in enumerate(points)
                if getattr(p, key) is not None
            ],
        )
        for key in SERIES
    ]
    return TrendChart(
        width=WIDTH,
        height=HEIGHT,
        lines=[line for line in lines if line.points],
        ticks=[(y(v), v) for v in range(low, high + 1, 20)],
        releases=[(x(i), p.release) for i, p in enumerate(points)],
        left=LEFT,
        right=WIDTH - RIGHT,
    )
