"""Reads shaped for pages and the API."""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from django.core.cache import cache
from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import translation
from django.utils.translation import gettext as _

from aimai_site.content import texts_for
from aimai_site.errors import InvalidInput, NotFoundError
from countries.choices import Dimension, IncomeGroup, Region
from countries.country_find import Candidate
from countries.findings import Findings, findings_compute
from countries.index.computed import COMPUTED_INDICATORS
from countries.index.reading import methodology_parse
from countries.models import (
    Country,
    DataRelease,
    Indicator,
    Methodology,
    Observation,
    ReleaseChange,
    Score,
    ScoreSet,
)
from countries.names import country_name, name_sort_key
from countries.public_index import (
    Coverage,
    coverage_get,
)


@dataclass(frozen=True)
class CountryProfile:
    country: Country
    release: DataRelease | None
    observations: list[Observation]

    def by_dimension(self) -> list[tuple[str, list[Observation]]]:
        """Observations grouped by dimension: capability, solidarity, burden, context."""
        groups = []
        for value, label in Dimension.choices:
            rows = [o for o in self.observations if o.indicator.dimension == value]
            if rows:
                groups.append((label, rows))
        return groups


def country_list(*, release: DataRelease | None) -> QuerySet[Country]:
    """Ordered by the stored name; pages put it in the reader's order (`by_local_name`)."""
    return Country.objects.with_observation_count(release).order_by("name")


def by_local_name(countries: Iterable[Country]) -> list[Country]:
    """Countries in the alphabetical order of their names in the reader's language."""
    return sorted(countries, key=lambda country: name_sort_key(country.local_name))


def country_profile_get(*, iso3: str) -> CountryProfile:
    """The country and its observations in the current release; 404 for an unknown code."""
    country = get_object_or_404(Country, iso3=iso3)
    release = DataRelease.objects.current()
    observations = list(
        Observation.objects.for_release(release)
        .filter(country=country)
        .select_related("indicator")
        .order_by("indicator__dimension", "indicator__name", "-year")
    )
    return CountryProfile(country=country, release=release, observations=observations)


HEX64 = re.compile(r"[0-9a-f]{64}")
DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def score_set_resolve(
    *, methodology: str | None = None, digest: str | None = None, as_of: str | None = None
) -> ScoreSet:
    """The score set a reader asks for: by digest, or the one of a methodology (default: the
    headline) that was current at the end of `as_of` (YYYY-MM-DD; default: now)."""
    # the inputs and outputs documents are large and no reader of a resolved set needs them
    score_sets = ScoreSet.objects.with_related().defer("inputs", "outputs_json")
    if digest and (methodology or as_of):
        raise InvalidInput(
            _(
                "A score set digest names one score set: give it alone, without methodology "
                "or as_of."
            ),
            field="score_set",
        )
    if digest:
        if not HEX64.fullmatch(digest):
            raise InvalidInput(
                _("A score set digest is 64 lowercase hex digits."), field="score_set"
            )
        found = score_sets.filter(digest=digest).first()
        if found is None:
            raise NotFoundError(_("No score set with digest %(digest)s.") % {"digest": digest})
        return found
    if methodology:
        if not Methodology.objects.filter(slug=methodology).exists():
            raise NotFoundError(_("No methodology “%(slug)s”.") % {"slug": methodology})
        slug = methodology
    else:
        headline = Methodology.objects.headline()
        if headline is None:
            raise NotFoundError(_("No methodology has been published yet."))
        slug = headline.slug
    score_sets = score_sets.for_methodology(slug)
    if as_of:
        day = _day(as_of)
        found = score_sets.as_of(datetime.combine(day, time.max, tzinfo=UTC)).current()
        if found is None:
            raise NotFoundError(
                _("No score set of “%(slug)s” had been published by %(day)s.")
                % {"slug": slug, "day": day}
            )
        return found
    found = score_sets.current()
    if found is None:
        raise NotFoundError(_("No score set of “%(slug)s” has been computed yet.") % {"slug": slug})
    found.is_current = True  # what the serializers read, without asking again
    return found


def _day(text: str) -> date:
    """A calendar day written YYYY-MM-DD, and nothing else."""
    try:
        if not DAY.fullmatch(text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            _("“%(text)s” is not a date; use YYYY-MM-DD.") % {"text": text}, field="as_of"
        ) from None


def score_set_is_current(score_set: ScoreSet) -> bool:
    newest = (
        ScoreSet.objects.filter(
            methodology_version__methodology_id=score_set.methodology_version.methodology_id
        )
        .latest_first()
        .values_list("pk", flat=True)
        .first()
    )
    return newest == score_set.pk


def score_rows(score_set: ScoreSet) -> QuerySet[Score]:
    return Score.objects.filter(score_set=score_set).with_country().ranked()


@dataclass(frozen=True)
class IndicatorLabel:
    code: str
    name: str
    dimension: str
    unit: str
    computed: bool
    description: str = ""


def indicator_labels() -> dict[str, IndicatorLabel]:
    """Name, dimension and unit of every indicator, imported or computed by the platform."""
    labels = {
        code: IndicatorLabel(code, name, dimension, unit, False)
        for code, name, dimension, unit in Indicator.objects.values_list(
            "code", "name", "dimension", "unit"
        )
    }
    for code, source in COMPUTED_INDICATORS.items():
        labels[code] = IndicatorLabel(
            code, source.name, source.dimension, source.unit, True, source.description
        )
    return labels


def _provenance_label(provenance: dict | None, reference_year: int) -> str:
    if not provenance:
        return _("missing")
    if provenance["status"] == "observed":
        return _("observed in %(year)s") % {"year": provenance["year"]}
    if provenance["status"] == "carried_forward":
        return _("carried forward from %(year)s to %(reference_year)s") % {
            "year": provenance["year"],
            "reference_year": reference_year,
        }
    return _("imputed (%(method)s)") % {"method": provenance.get("method", "").replace("_", " ")}


@dataclass(frozen=True)
class Explanation:
    score_set: ScoreSet
    score: Score
    rows: list[dict]  # one per indicator of the methodology

    @property
    def total(self) -> float | None:
        """The contributions to AIMAI added up (to the published precision); None without
        an AIMAI."""
        if self.score.aimai is None:
            return None
        return round(sum(row["aimai"] or 0.0 for row in self.rows), 9)


def score_explain(*, score_set: ScoreSet, iso3: str) -> Explanation:
    """Every indicator's value, provenance and contribution for one country of a score set.

    The contributions to each dimension add up to the dimension score; the contributions to
    AIMAI add up to AIMAI (the index weights are applied).
    """
    score = (
        Score.objects.filter(score_set=score_set, country__iso3=iso3.upper())
        .select_related("country")
        .first()
    )
    if score is None:
        raise NotFoundError(
            _("%(country)s is not in score set %(digest)s.")
            % {"country": iso3.upper(), "digest": score_set.digest}
        )
    labels = indicator_labels()
    definition = methodology_parse(score_set.methodology_version.definition)
    rows = []
    for spec in definition.indicators():
        dimension = next(
            name
            for name, group in definition.dimensions.items()
            if spec.code in {leaf.code for leaf in group.leaves()}
        )
        provenance = score.provenance.get(spec.code)
        year = provenance.get("year") if provenance else None
        label = labels.get(spec.code)
        rows.append(
            {
                "indicator": spec.code,
                "name": label.name if label else spec.code,
                "computed": bool(label and label.computed),
                "dimension": dimension,
                "weight": spec.weight,
                "direction": spec.direction,
                "year": year,
                "value": score.values.get(spec.code),
                "normalised": score.normalised.get(spec.code),
                "provenance": provenance["status"] if provenance else "missing",
                "provenance_label": _provenance_label(provenance, score_set.reference_year),
                "to_dimension": score.contributions.get(dimension, {}).get(spec.code),
                "aimai": score.contributions.get("aimai", {}).get(spec.code),
            }
        )
    return Explanation(score_set=score_set, score=score, rows=rows)


@dataclass(frozen=True)
class CountryScores:
    """A country's scores in the current score set of every methodology, the headline first;
    the headline's with its full explanation."""

    scores: list[tuple[Methodology, ScoreSet, Score]]
    explanation: Explanation | None
    peers: list[tuple[Score, float]]  # nearest by profile (capability, solidarity, burden)

    @property
    def headline(self) -> tuple[Methodology, ScoreSet, Score] | None:
        """The index: the headline methodology's score, when the country has one."""
        return self.scores[0] if self.scores and self.scores[0][0].is_headline else None

    @property
    def alternatives(self) -> list[tuple[Methodology, ScoreSet, Score]]:
        """The other methodologies' scores: alternative views, shown after the index."""
        return [row for row in self.scores if not row[0].is_headline]


def country_scores_get(*, country: Country) -> CountryScores:
    current = ScoreSet.objects.current_per_methodology()
    found = {
        s.score_set_id: s
        for s in Score.objects.filter(score_set__in=current.values(), country=country)
    }
    rows = []
    for methodology in Methodology.objects.filter(pk__in=current):  # headline first
        score_set = current[methodology.pk]
        if score_set.pk in found:
            rows.append((methodology, score_set, found[score_set.pk]))
    # the scores over time are read apart, with one method (countries.trends)
    explanation, peers = None, []
    if rows and rows[0][0].is_headline:
        _, score_set, score = rows[0]
        explanation = score_explain(score_set=score_set, iso3=country.iso3)
        peers = peers_nearest(score_set=score_set, score=score)
    return CountryScores(scores=rows, explanation=explanation, peers=peers)


PROFILE = ("capability", "solidarity", "burden")


def peers_nearest(*, score_set: ScoreSet, score: Score, n: int = 5) -> list[tuple[Score, float]]:
    """The countries whose three dimension scores are closest (Euclidean, 0-100 scales)."""
    if any(getattr(score, d) is None for d in PROFILE):
        return []
    others = Score.objects.filter(score_set=score_set).exclude(pk=score.pk).with_country()
    distances = []
    for other in others:
        if any(getattr(other, d) is None for d in PROFILE):
            continue
        gap = sum((getattr(other, d) - getattr(score, d)) ** 2 for d in PROFILE) ** 0.5
        distances.append((other, gap))
    return sorted(distances, key=lambda pair: (pair[1], pair[0].country.name))[:n]


def score_history(*, methodology: Methodology, country: Country) -> list[Score]:
    """The country's score in the current score set of each data release, newest first."""
    found: dict[int, Score] = {}
    for score in (
        Score.objects.filter(
            country=country, score_set__methodology_version__methodology=methodology
        )
        .select_related("score_set__release", "score_set__methodology_version__methodology")
        .order_by("-score_set__release__published_at", "-score_set__created_at")
    ):
        found.setdefault(score.score_set.release_id, score)  # newest set per release first
    return list(found.values())


@dataclass(frozen=True)
class Overview:
    score_set: ScoreSet
    methodology: Methodology
    methodologies: list[Methodology]
    rows: list[dict]  # one per country of the score set, as charts and downloads use them


def score_row(score: Score) -> dict:
    """One country's scores as plain data: the shape of charts, tables and downloads."""
    country = score.country
    return {
        "country": country.iso3,
        "name": country.local_name,
        "numeric": country.numeric,
        "region": country.get_region_display(),
        "income_group": country.get_income_group_display(),
        "capability": score.capability,
        "solidarity": score.solidarity,
        "burden": score.burden,
        "aimai": score.aimai,
        "aimai_without_imputation": score.aimai_without_imputation,
        "rank": score.rank,
        "rank_low": score.rank_low,
        "rank_high": score.rank_high,
        "classification": score.classification,
        "classification_label": score.get_classification_display(),
        "concentration": "Top by capability" if score.concentrated else "Others",
        "coverage": score.coverage,
        "confidence": score.confidence,
        "url": country.get_absolute_url(),
    }


def score_set_rows_key(score_set) -> str:
    # the rows carry labels (class, region, income group) in the language they were made in
    return f"score-set-rows:{score_set.digest}:{translation.get_language()}"


def score_set_rows(score_set: ScoreSet) -> list[dict]:
    """Every country's row of a score set, cached (Redis when REDIS_URL is set) under the set's
    digest: a score set never changes, and a new current set has a new key."""
    key = score_set_rows_key(score_set)
    rows = cache.get(key)
    if rows is None:
        rows = [score_row(s) for s in score_rows(score_set)]
        cache.set(key, rows, timeout=24 * 3600)
    return rows


def overview_get(*, methodology: str | None = None) -> Overview:
    """The current score set of a methodology (default: the headline) and its rows."""
    score_set = score_set_resolve(methodology=methodology)
    chosen = score_set.methodology_version.methodology
    rows = score_set_rows(score_set)
    return Overview(
        score_set=score_set,
        methodology=chosen,
        methodologies=list(Methodology.objects.with_published_versions()),
        rows=rows,
    )


@dataclass
class Correction:
    release: DataRelease
    changes: list


def country_corrections(*, country: Country) -> list[Correction]:
    """The published corrections that changed one of `country`'s values, newest first, each
    with its note and the values it changed."""
    changes = (
        ReleaseChange.objects.filter(country=country, release__corrects__isnull=False)
        .select_related("release", "indicator")
        .order_by("-release__published_at", "indicator__code", "year")
    )
    corrections: dict[int, Correction] = {}
    for change in changes:
        entry = corrections.setdefault(change.release_id, Correction(change.release, []))
        entry.changes.append(change)
    return list(corrections.values())


CHANGELOG_ROWS = 100


def release_changelog() -> list[DataRelease]:
    """Published releases, newest first, each with how many values it holds and added,
    changed and removed against the release it followed (a few queries, whatever the size)."""
    releases = list(
        DataRelease.objects.published().select_related("corrects").order_by("-published_at", "-pk")
    )
    sizes = dict(
        Observation.objects.filter(release__in=releases)
        .values_list("release")
        .annotate(n=Count("pk"))
        .order_by()
    )
    kinds = (
        ReleaseChange.objects.filter(release__in=releases)
        .values_list("release", "kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    changed = {(release, kind): n for release, kind, n in kinds}
    texts = texts_for(releases)
    for position, release in enumerate(releases):
        release.texts = texts[release.pk]
        release.observation_count = sizes.get(release.pk, 0)
        release.is_first = position == len(releases) - 1
        for kind in ReleaseChange.Kind.values:
            setattr(release, kind, changed.get((release.pk, kind), 0))
        # a correction's own lines; an edition's are too many to list here (its CSV has them)
        release.change_rows = (
            list(release.changes.select_related("country", "indicator")[:CHANGELOG_ROWS])
            if release.corrects_id
            else []
        )
    return releases


def indicator_names() -> dict[str, str]:
    """Every indicator's name by code, imported or computed by the platform."""
    return {code: label.name for code, label in indicator_labels().items()}


def headline_coverage(overview=None) -> Coverage | None:
    """The coverage of the headline methodology's current score set (the index); None before
    one is computed. Reuses the overview's score set when it is the headline's."""
    if overview is not None and overview.methodology.is_headline:
        return coverage_get(overview.score_set)
    try:
        return coverage_get(score_set_resolve())
    except NotFoundError:
        return None


def score_set_previous(score_set: ScoreSet) -> ScoreSet | None:
    """The score set of the same methodology that was current before this one (the next in
    latest_first order); None for the first. One query, whatever the number of sets."""
    ordered = list(
        ScoreSet.objects.filter(
            methodology_version__methodology_id=score_set.methodology_version.methodology_id
        )
        .latest_first()
        .with_related()
        .defer("inputs", "outputs_json")
    )
    position = next((i for i, s in enumerate(ordered) if s.pk == score_set.pk), None)
    if position is None or position + 1 >= len(ordered):
        return None
    previous = ordered[position + 1]
    previous.is_current = False  # a newer set exists: this one
    return previous


@dataclass(frozen=True)
class ScoreSetFindings:
    score_set: ScoreSet
    previous: ScoreSet | None
    findings: Findings


def findings_group_codes() -> dict[str, dict[str, str]]:
    """The table's filter value of each label the rows carry, for the findings' links: the
    labels as the active language reads them, as the rows carry them."""
    return {
        "region": {str(label): value for value, label in Region.choices},
        "income_group": {str(label): value for value, label in IncomeGroup.choices},
    }


def findings_get(*, score_set: ScoreSet, rows: list[dict] | None = None) -> ScoreSetFindings:
    """The key findings of a score set, against the set current before it; `rows`: the set's
    rows when the caller has them (they come from score_set_rows' cache otherwise)."""
    previous = score_set_previous(score_set)
    findings = findings_compute(
        rows if rows is not None else score_set_rows(score_set),
        score_set_rows(previous) if previous is not None else None,
        group_codes=findings_group_codes(),
    )
    return ScoreSetFindings(score_set=score_set, previous=previous, findings=findings)


def country_candidates() -> list[Candidate]:
    """Every country as the country search compares it: codes, its name in the reader's
    language (found by its English name too) and official name; in the reader's order."""
    candidates = []
    for iso3, iso2, name, official_name in Country.objects.values_list(
        "iso3", "iso2", "name", "official_name"
    ):
        local = country_name(iso2, name)
        also = (name,) if local != name else ()
        candidates.append(Candidate(iso3, iso2, local, official_name, also))
    return sorted(candidates, key=lambda candidate: name_sort_key(candidate.name))
