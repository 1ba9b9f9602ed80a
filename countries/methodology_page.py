"""Reads behind /methodology/: each published methodology as the page renders it (its groups,
indicators, rules and rationales), every country side by side under each, and who moved from
the headline's previous version to its current one."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from aimai_site.content import Shown, Texts, texts_for
from aimai_site.languages import DEFAULT_LANGUAGE
from countries.engine_messages import localized_all
from countries.index.computed import COMPUTED_INDICATORS
from countries.index.methodology import GroupSpec, IndicatorSpec, methodology_changes
from countries.index.methodology import Methodology as EngineMethodology
from countries.index.reading import methodology_parse
from countries.models import Country, Methodology, MethodologyVersion, Score, ScoreSet
from countries.providers import providers
from countries.public_index import (
    ClassRule,
    classification_rules,
    difference_text,
    dimension_label,
    first_sentence,
    rationales,
)
from countries.selectors import PROFILE, IndicatorLabel, indicator_labels
from countries.templatetags.figures import figure


@dataclass(frozen=True)
class IndicatorLine:
    spec: IndicatorSpec
    label: IndicatorLabel | None
    share: float  # of the whole index, all data present
    rule: str = ""  # a computed indicator's rule, in words, as the methodology file sets it
    # why the indicator is in the index, as the methodology file says (or its translation)
    rationale: Shown | str = ""

    @property
    def units(self) -> str:
        """The units the cap and goalposts are written in, when a transform makes it matter."""
        kind = self.spec.transform
        if kind == "none":
            return ""
        if self.spec.bounds_in == "natural":
            return _("in the indicator’s own units, before the %(kind)s transform") % {"kind": kind}
        return _("on the %(kind)s scale, after the transform") % {"kind": kind}

    @property
    def cap_text(self) -> str:
        """The cap as the page states it: which bounds, in which units; "" without one."""
        low, high = self.spec.cap
        if low is None and high is None:
            return ""
        if low is not None and high is not None:
            text = _("capped to %(low)s–%(high)s") % {"low": figure(low), "high": figure(high)}
        elif low is not None:
            text = _("values below %(low)s raised to it") % {"low": figure(low)}
        else:
            text = _("values above %(high)s capped at it") % {"high": figure(high)}
        return f"{text} ({self.units})" if self.units else text


@dataclass(frozen=True)
class GroupLine:
    name: str
    group: GroupSpec
    index_weight: float | None  # for the dimensions
    indicators: list[IndicatorLine]
    groups: list["GroupLine"]

    @property
    def label(self) -> str:
        """The name as a heading: "Capability", "Life expectancy" (from life_expectancy)."""
        return dimension_label(self.name)


def _minus(weight: float) -> str:
    """A weight as the formula writes it, with a true minus sign."""
    return f"{weight:g}".replace("-", "−")


@dataclass(frozen=True)
class MethodologyPage:
    methodology: Methodology
    version: MethodologyVersion
    parsed: "EngineMethodology"
    dimensions: list[GroupLine]
    changelog: list[tuple[MethodologyVersion, list[str]]]  # newest first
    score_set: ScoreSet | None
    # the proposal and decision behind a version adopted from the public consultation
    proposals: dict[int, dict] = field(default_factory=dict)
    # every version's texts in the page's language (aimai_site/content.py), by primary key
    texts: dict[int, Texts] = field(default_factory=dict)

    @property
    def changelog_entries(
        self,
    ) -> list[tuple[MethodologyVersion, list[str], dict | None, Shown]]:
        """The changelog with the proposal each version was adopted from, if any, and the
        version's own note of its changes in the page's language."""
        return [
            (v, changes, self.proposals.get(v.pk), self._texts(v).piece("changes", v.changes))
            for v, changes in self.changelog
        ]

    def _texts(self, version: MethodologyVersion) -> Texts:
        return self.texts.get(version.pk) or Texts(version, DEFAULT_LANGUAGE, {})

    @property
    def current_texts(self) -> Texts:
        return self._texts(self.version)

    @property
    def title(self) -> Shown:
        return self.current_texts.piece("title", self.methodology.title)

    @property
    def difference(self) -> Shown:
        """How an alternative view differs from the headline, in one sentence."""
        if self.parsed.raw.get("difference"):
            return self.current_texts.piece("difference", difference_text(self.parsed))
        description = self.current_texts.piece("description", self.parsed.description)
        return Shown(first_sentence(description.text), description.language, description.fallback)

    @property
    def class_rules(self) -> list[ClassRule]:
        return classification_rules(self.parsed)

    @property
    def sharing_terms(self) -> str:
        weights = self.parsed.index_weights
        return (
            f"{_minus(weights['capability'])} × {dimension_label('capability')} + "
            f"{_minus(weights['solidarity'])} × {dimension_label('solidarity')}"
        ).replace("+ −", "− ")

    @property
    def burden_term(self) -> str:
        return f"{_minus(self.parsed.index_weights['burden'])} × {dimension_label('burden')}"

    def formula(self) -> str:
        parsed = self.parsed
        names = (
            ("solidarity", "capability", "burden")
            if parsed.is_aimai_shaped
            else parsed.dimension_names
        )
        weights = {name: parsed.index_weights[name] for name in names}
        labels = {name: dimension_label(name) for name in names}
        left = "AIMAI" if parsed.is_aimai_shaped else _("Index")
        if parsed.index_aggregation == "arithmetic":
            terms = " + ".join(f"{weights[n]:g} × {labels[n]}" for n in names)
            return f"{left} = ({terms}) / {sum(weights.values()):g}"
        if parsed.index_aggregation == "geometric":
            terms = " × ".join(f"{labels[n]}^{weights[n]:g}" for n in names)
            return f"{left} = ({terms})^(1/{sum(weights.values()):g})"
        terms = []
        for name in names:
            weight = weights[name]
            sign = "−" if weight < 0 else "+"
            terms.append(f"{sign} {abs(weight):g} × {labels[name]}")
        text = " ".join(terms)
        return f"{left} = " + (text[2:] if text.startswith("+ ") else text)


def _rule_text(spec: IndicatorSpec, methodology: "EngineMethodology") -> str:
    source = COMPUTED_INDICATORS.get(spec.code)
    return source.rule_text(spec.rule, methodology) if source is not None else ""


def _group_lines(
    group: GroupSpec,
    labels,
    shares,
    methodology: "EngineMethodology",
    index_weight=None,
    reasons=None,
) -> GroupLine:
    return GroupLine(
        name=group.name,
        group=group,
        index_weight=index_weight,
        indicators=[
            IndicatorLine(
                spec=spec,
                label=labels.get(spec.code),
                share=shares[spec.code],
                rule=_rule_text(spec, methodology),
                rationale=(reasons or {}).get(spec.code, ""),
            )
            for spec in group.indicators
        ],
        groups=[
            _group_lines(child, labels, shares, methodology, reasons=reasons)
            for child in group.groups
        ],
    )


def methodology_pages() -> list[MethodologyPage]:
    """Every published methodology, the headline first, as the methodology page shows it."""
    labels = indicator_labels()
    versions = list(
        MethodologyVersion.objects.published()
        .select_related("methodology")
        .order_by("methodology_id", "published_at", "pk")
    )
    current_sets = ScoreSet.objects.current_per_methodology()
    texts = texts_for(versions)
    # one query for every version, whatever their number
    proposals = providers.version_proposals([v.pk for v in versions]) if versions else {}
    pages = []
    for methodology in Methodology.objects.with_published_versions():
        own = [v for v in versions if v.methodology_id == methodology.pk]
        current = own[-1]
        parsed = methodology_parse(current.definition)
        shares = parsed.effective_weights()
        reasons = {
            code: texts[current.pk].piece(f"rationale.{code}", text)
            for code, text in rationales(parsed).items()
        }
        changelog = [
            (
                v,
                localized_all(methodology_changes(own[i - 1].definition, v.definition))
                if i
                else [],
            )
            for i, v in enumerate(own)
        ]
        pages.append(
            MethodologyPage(
                methodology=methodology,
                version=current,
                parsed=parsed,
                dimensions=[
                    _group_lines(
                        parsed.dimensions[name],
                        labels,
                        shares,
                        parsed,
                        parsed.index_weights[name],
                        reasons,
                    )
                    for name in parsed.dimension_names
                ],
                changelog=changelog[::-1],
                score_set=current_sets.get(methodology.pk),
                proposals={v.pk: proposals[v.pk] for v in own if v.pk in proposals},
                texts={v.pk: texts[v.pk] for v in own},
            )
        )
    return pages


@dataclass(frozen=True)
class ComparisonRow:
    country: Country
    scores: list[Score | None]  # one per compared methodology, in page order

    @property
    def rank_shift(self) -> int | None:
        """How many places the country moves from the first methodology to the second."""
        if len(self.scores) < 2 or not all(s and s.rank for s in self.scores[:2]):
            return None
        return self.scores[0].rank - self.scores[1].rank


def methodology_comparison(pages: list[MethodologyPage]) -> list[ComparisonRow]:
    """Each country's scores under every published methodology, ranked by the first."""
    sets = [page.score_set for page in pages]
    by_country: dict[int, list[Score | None]] = {}
    countries: dict[int, Country] = {}
    scores = Score.objects.filter(score_set__in=[s for s in sets if s]).select_related("country")
    position = {s.pk: i for i, s in enumerate(sets) if s}
    for score in scores:
        countries[score.country_id] = score.country
        row = by_country.setdefault(score.country_id, [None] * len(sets))
        row[position[score.score_set_id]] = score
    rows = [ComparisonRow(countries[pk], row) for pk, row in by_country.items()]
    return sorted(rows, key=comparison_order)


def comparison_order(row: ComparisonRow) -> tuple[bool, int, str]:
    """Ranked by the first methodology; then those it does not rank (no score, or no rank
    for want of data), by name."""
    first = row.scores[0] if row.scores else None
    rank = first.rank if first is not None else None
    return (rank is None, rank or 0, row.country.name)


@dataclass(frozen=True)
class VersionMove:
    country: Country
    before: Score
    after: Score
    # ranks among the countries both versions rank, so that newly scored ones move nobody
    rank_before: int
    rank_after: int
    # the dimension term (index weight x score) that moved AIMAI most, and by how much
    cause: str
    cause_change: float

    @property
    def rank_shift(self) -> int:
        """Places gained (positive) or lost from the previous version to the current one."""
        return self.rank_before - self.rank_after

    @property
    def aimai_change(self) -> float:
        return self.after.aimai - self.before.aimai


@dataclass(frozen=True)
class VersionComparison:
    previous: ScoreSet
    current: ScoreSet
    moves: list[VersionMove]  # every country ranked by both, the largest rank shift first
    newly_scored: int  # ranked now, not by the previous version
    no_longer_scored: int
    common: int  # ranked by both

    @property
    def same_release(self) -> bool:
        return self.previous.release_id == self.current.release_id


def version_comparison(page: MethodologyPage, *, top: int = 20) -> VersionComparison | None:
    """The current version of a methodology (its page) against its previous version: who
    moves, how far, and which dimension moved them. The previous version is read on the same
    data release when it was scored there (the methodology alone then explains the move), else
    on its latest. Two queries, whatever the number of countries."""
    current = page.score_set
    versions = [version for version, _ in page.changelog[:2]]  # newest first
    if current is None or len(versions) < 2 or current.methodology_version_id != versions[0].pk:
        return None
    older = ScoreSet.objects.filter(methodology_version=versions[1]).select_related(
        "methodology_version", "release"
    )
    previous = max(
        older,
        key=lambda s: (s.release_id == current.release_id, s.created_at, s.pk),
        default=None,
    )
    if previous is None:
        return None
    weights = {
        previous.pk: methodology_parse(versions[1].definition).index_weights,
        current.pk: page.parsed.index_weights,
    }
    ranked: dict[int, dict[int, Score]] = {previous.pk: {}, current.pk: {}}
    for score in Score.objects.filter(
        score_set__in=[previous, current], rank__isnull=False
    ).select_related("country"):
        ranked[score.score_set_id][score.country_id] = score
    before, after = ranked[previous.pk], ranked[current.pk]
    both = before.keys() & after.keys()

    def ranks(scores: dict[int, Score]) -> dict[int, int]:
        values = sorted((scores[pk].aimai for pk in both), reverse=True)
        return {pk: values.index(scores[pk].aimai) + 1 for pk in both}  # ties share a rank

    rank_before, rank_after = ranks(before), ranks(after)
    moves = []
    for pk in both:
        old, new = before[pk], after[pk]
        terms = {
            name: weights[current.pk][name] * getattr(new, name)
            - weights[previous.pk][name] * getattr(old, name)
            for name in PROFILE
        }
        cause = max(terms, key=lambda name: abs(terms[name]))
        moves.append(
            VersionMove(new.country, old, new, rank_before[pk], rank_after[pk], cause, terms[cause])
        )
    moves.sort(key=lambda m: (-abs(m.rank_shift), m.country.name))
    return VersionComparison(
        previous=previous,
        current=current,
        moves=moves[:top],
        newly_scored=len(after.keys() - before.keys()),
        no_longer_scored=len(before.keys() - after.keys()),
        common=len(both),
    )
