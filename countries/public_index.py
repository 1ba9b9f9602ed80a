"""How the public pages read the index: the headline and its alternatives, what a class means
and why a country has it, what is missing for a score, and how much of the world is scored.

Plain functions over parsed methodologies and stored scores; the templates only show them.
"""

import re
from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from countries.choices import Classification
from countries.index.methodology import DIMENSIONS, Methodology
from countries.index.reading import methodology_parse
from countries.models import Indicator, Score, ScoreSet

LOW_CLASSES = (
    Classification.DIVIDER,
    Classification.CONCENTRATION,
    Classification.BURDENED,
)
SENTENCE_END = re.compile(r"(?<=[.!?])\s")
# AIMAI's dimensions as headings, in the reader's language
DIMENSION_LABELS = {
    "capability": gettext_lazy("Capability"),
    "solidarity": gettext_lazy("Solidarity"),
    "burden": gettext_lazy("Burden"),
}


def dimension_label(name: str) -> str:
    """A dimension's name as a heading: AIMAI's in the reader's language, another index's
    from its name ("life_expectancy": "Life expectancy")."""
    known = DIMENSION_LABELS.get(name)
    return str(known) if known is not None else name.replace("_", " ").capitalize()


def first_sentence(text: str) -> str:
    text = " ".join((text or "").split())
    return SENTENCE_END.split(text, maxsplit=1)[0] if text else ""


def difference_text(parsed: Methodology) -> str:
    """How an alternative view differs from the headline, in one sentence: the file's
    `difference`, else the first sentence of its description."""
    written = " ".join(str(parsed.raw.get("difference") or "").split())
    return written or first_sentence(parsed.description)


def rationales(parsed: Methodology) -> dict[str, str]:
    """Each indicator's `rationale` as written in the file, by code (only those that have one)."""
    found: dict[str, str] = {}

    def walk(group: dict) -> None:
        for item in group.get("indicators") or []:
            if isinstance(item, dict) and item.get("rationale"):
                found[str(item["code"])] = " ".join(str(item["rationale"]).split())
        for child in group.get("groups") or []:
            if isinstance(child, dict):
                walk(child)

    for group in (parsed.raw.get("dimensions") or {}).values():
        if isinstance(group, dict):
            walk(group)
    return found


@dataclass(frozen=True)
class ClassRule:
    label: str
    condition: str


def _num(value: float) -> str:
    text = f"{value:g}"
    return text.replace("-", "−")


def _num1(value: float) -> str:
    """One decimal, with a true minus sign."""
    return f"{value:.1f}".replace("-", "−")


def classification_rules(parsed: Methodology) -> list[ClassRule]:
    """The classes of a methodology and when a country gets each, from the file."""
    low = f"AIMAI ≤ {_num(parsed.divider_max)}"
    rules = [
        ClassRule(Classification.BRIDGER.label, f"AIMAI ≥ {_num(parsed.bridger_min)}"),
        ClassRule(
            Classification.NEUTRAL.label,
            _("AIMAI between %(low)s and %(high)s")
            % {"low": _num(parsed.divider_max), "high": _num(parsed.bridger_min)},
        ),
    ]
    if parsed.low_by_cause:
        rules += [
            ClassRule(
                Classification.CONCENTRATION.label,
                _(
                    "%(low)s, and capability not matched by sharing (the capability and "
                    "solidarity terms of AIMAI) pulls it down more than burdens (the burden "
                    "term) do, and the country's capability is at least the median of the "
                    "countries scored"
                )
                % {"low": low},
            ),
            ClassRule(
                Classification.BURDENED.label,
                _(
                    "%(low)s, and burdens pull it down harder, or the country's capability is "
                    "below the median (there is little to concentrate)"
                )
                % {"low": low},
            ),
        ]
    else:
        rules.append(ClassRule(Classification.DIVIDER.label, low))
    rules.append(
        ClassRule(
            Classification.INSUFFICIENT_DATA.label,
            _("a dimension lacks data, so there is no AIMAI"),
        )
    )
    return rules


@dataclass(frozen=True)
class LowCause:
    """A low AIMAI split in two terms that add up to it."""

    aimai: float
    sharing: float  # w_cap·C + w_sol·S: capability not matched by sharing
    burdens: float  # w_bur·B
    sentence: str


def low_cause(score: Score, parsed: Methodology) -> LowCause | None:
    """Why a country's AIMAI is low, from the score itself; None when it is not low."""
    if score.classification not in LOW_CLASSES or score.aimai is None:
        return None
    if any(getattr(score, name) is None for name in DIMENSIONS):
        return None
    weights = parsed.index_weights
    sharing = weights["capability"] * score.capability + weights["solidarity"] * score.solidarity
    burdens = weights["burden"] * score.burden
    split = _(
        "AIMAI %(aimai)s = %(sharing)s from capability not matched by sharing %(sign)s "
        "%(burdens)s from burdens"
    ) % {
        "aimai": _num1(score.aimai),
        "sharing": _num1(sharing),
        "sign": "+" if burdens >= 0 else "−",
        "burdens": _num1(abs(burdens)),
    }
    if score.classification == Classification.CONCENTRATION:
        why = _(
            "capability not matched by sharing pulls it down more than burdens do, and its "
            "capability is at least the median: a divider by concentration"
        )
    elif score.classification == Classification.BURDENED:
        why = (
            _("burdens pull it down harder than capability not matched by sharing")
            if burdens < sharing
            else _(
                "its capability is below the median, so there is little to concentrate: "
                "what holds it back is burdens"
            )
        )
    else:
        why = (
            _("capability not matched by sharing pulls it down more than burdens do")
            if sharing <= burdens
            else _("burdens pull it down more than capability not matched by sharing does")
        )
    sentence = _("%(split)s: %(why)s.") % {"split": split, "why": why}
    return LowCause(score.aimai, sharing, burdens, sentence)


@dataclass(frozen=True)
class DimensionGap:
    dimension: str
    missing: list[str]  # names of the dimension's indicators with no value for the country
    min_coverage: float

    @property
    def sentence(self) -> str:
        values = {
            "dimension": dimension_label(self.dimension).lower(),
            "share": round(self.min_coverage * 100),
        }
        if self.missing:
            return _(
                "No %(dimension)s score: no value for %(missing)s (at least %(share)d %% of the "
                "dimension's weight must be measured)."
            ) % {**values, "missing": ", ".join(self.missing)}
        return (
            _(
                "No %(dimension)s score: too little of it is measured (at least %(share)d %% of "
                "the dimension's weight must be)."
            )
            % values
        )


def score_gaps(score: Score, parsed: Methodology, names: dict[str, str] | None = None):
    """The dimensions a country has no score for, each with its indicators that have no value
    for the country (from the score's provenance and values)."""
    if names is None:
        names = dict(Indicator.objects.values_list("code", "name"))
    gaps = []
    for dimension in DIMENSIONS:
        if getattr(score, dimension) is not None:
            continue
        group = parsed.dimensions[dimension]
        missing = [
            names.get(spec.code, spec.code)
            for spec in group.leaves()
            if not (score.provenance or {}).get(spec.code)
            and (score.values or {}).get(spec.code) is None
        ]
        gaps.append(DimensionGap(dimension, missing, group.min_coverage))
    return gaps


@dataclass(frozen=True)
class Coverage:
    score_set: ScoreSet
    countries: int  # in the score set
    scored: int  # with an AIMAI
    per_dimension: dict[str, int]  # countries with a score in each dimension
    lacking: dict[str, list[str]]  # unscored countries by the dimension they lack, names
    release_name: str
    release_date: date
    years: tuple[int, int] | None  # earliest and latest year of the data used

    @property
    def unscored(self) -> int:
        return self.countries - self.scored

    @property
    def lacking_counts(self) -> list[tuple[str, int]]:
        return [(name, len(found)) for name, found in self.lacking.items() if found]


def coverage_get(score_set: ScoreSet) -> Coverage:
    """How much of the world a score set scores, what the others lack, and how old its data is."""
    per_dimension = dict.fromkeys(DIMENSIONS, 0)
    lacking: dict[str, list[str]] = {name: [] for name in DIMENSIONS}
    countries = scored = 0
    years: list[int] = []
    rows = Score.objects.filter(score_set=score_set).values_list(
        "country__name", "capability", "solidarity", "burden", "aimai", "provenance"
    )
    for name, capability, solidarity, burden, aimai, provenance in rows.order_by("country__name"):
        countries += 1
        dims = {"capability": capability, "solidarity": solidarity, "burden": burden}
        for dimension, value in dims.items():
            if value is not None:
                per_dimension[dimension] += 1
            elif aimai is None:
                lacking[dimension].append(name)
        if aimai is not None:
            scored += 1
        for entry in (provenance or {}).values():
            if isinstance(entry, dict) and isinstance(entry.get("year"), int):
                years.append(entry["year"])
    release = score_set.release
    return Coverage(
        score_set=score_set,
        countries=countries,
        scored=scored,
        per_dimension=per_dimension,
        lacking=lacking,
        release_name=release.name,
        release_date=release.release_date,
        years=(min(years), max(years)) if years else None,
    )


@dataclass(frozen=True)
class AlternativeView:
    methodology: object
    score_set: ScoreSet
    score: Score
    difference: str = ""
    gaps: list = field(default_factory=list)


def parsed_of(score_set: ScoreSet) -> Methodology:
    return methodology_parse(score_set.methodology_version.definition)
