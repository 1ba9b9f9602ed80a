"""A proposal's definition against the published ranking: prepared from an explorer state or
a methodology file, scored by the what-if engine, and reproduced from the stored definition.

Nothing here writes: the services store what `proposal_prepare` returns.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode

import yaml
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aimai_site.errors import DomainError, InvalidInput
from countries.engine_messages import localized_all
from countries.index.methodology import MethodologyError, methodology_changes
from countries.index.reading import methodology_load, methodology_parse
from countries.models import MethodologyVersion, ScoreSet
from countries.scoring import score_set_inputs
from countries.selectors import score_set_resolve
from countries.whatif import (
    Shift,
    VariantError,
    biggest_movers,
    definition_digest,
    rank_shifts,
    variant_definition,
    variant_score,
)

STATE_MAX = 2000  # characters of an explorer query string
SOURCE_MAX = 200_000  # characters of a methodology file
# what a definition may differ in without changing anything the index computes
NOT_A_CHANGE = ("version", "changes")

NOTHING_CHANGES = gettext_lazy(
    "This changes nothing: the definition is the one of %(version)s. Change a weight, a "
    "normalisation or a threshold first."
)
OTHER_METHODOLOGY = gettext_lazy(
    "This file is methodology “%(slug)s”; proposals change the headline methodology, “%(base)s”."
)
NEW_INDICATORS = gettext_lazy(
    "The file uses indicators the published score set does not hold (%(codes)s): a proposal "
    "reweights, switches off or renormalises the indicators in use, so that its shifts can be "
    "computed on the published data."
)
CHANGED_RULES = gettext_lazy(
    "The rules of computed indicators cannot be changed by a proposal (%(codes)s)."
)
NEITHER = gettext_lazy(
    "Start from the explorer, or give a methodology file (upload it or paste it)."
)


class ProposalInputError(InvalidInput):
    """A state or a file that cannot become a proposal; `errors` holds one line per problem."""

    def __init__(self, errors: list[str], *, field: str) -> None:
        errors = localized_all(errors)  # the engine's messages in the reader's language
        super().__init__("; ".join(errors), field=field)
        self.errors = errors


@dataclass(frozen=True)
class Prepared:
    """What a proposal stores of its definition, before anyone has written a word of it."""

    base_version: MethodologyVersion
    score_set: ScoreSet
    definition: dict
    digest: str
    source: str
    explorer_state: str
    changes: list[str]
    shifts: list[dict]

    def movers(self, n: int = 10) -> list[dict]:
        return movers_of(self.shifts, n)


def movers_of(shifts: list[dict], n: int = 10) -> list[dict]:
    """The stored shifts of the countries that move most (as dicts)."""
    as_shifts = [_shift(row) for row in shifts]
    return [s.as_dict() for s in biggest_movers(as_shifts, n)]


def _shift(row: dict) -> Shift:
    return Shift(
        country=row["country"],
        published_rank=row["published_rank"],
        rank=row["rank"],
        published_aimai=row["published_aimai"],
        aimai=row["aimai"],
        published_class=row["published_class"],
        classification=row["classification"],
    )


def headline_score_set() -> ScoreSet:
    """The current headline score set, with its inputs and outputs (the resolver defers them)."""
    return ScoreSet.objects.select_related("methodology_version__methodology").get(
        pk=score_set_resolve().pk
    )


def shifts_compute(definition: dict, score_set: ScoreSet, inputs: dict | None = None) -> list[dict]:
    """Every country's published and proposed rank, AIMAI and class, in the variant's order."""
    inputs = inputs if inputs is not None else score_set_inputs(score_set)
    result = variant_score(definition, inputs)
    return [shift.as_dict() for shift in rank_shifts(score_set.outputs, result)]


def state_text(state: Mapping) -> str:
    """The explorer's query string for a state (a QueryDict or a dict of lists)."""
    if hasattr(state, "lists"):
        pairs = [(key, value) for key, values in state.lists() for value in values]
    else:
        pairs = [
            (key, value)
            for key, values in state.items()
            for value in (values if isinstance(values, list | tuple) else [values])
        ]
    return urlencode(pairs)


def state_parse(text: str) -> dict[str, list[str]]:
    if len(text) > STATE_MAX:
        raise ProposalInputError([_("The explorer's settings are too long.")], field="state")
    return parse_qs(text, keep_blank_values=True)


def source_dump(definition: dict) -> str:
    """The YAML file of a definition (as a proposal from the explorer stores it)."""
    return yaml.safe_dump(definition, sort_keys=False, allow_unicode=True)


def _comparable(definition: dict) -> dict:
    return {k: v for k, v in definition.items() if k not in NOT_A_CHANGE}


def _indicator_rules(definition: dict) -> dict[str, object]:
    parsed = methodology_parse(definition)
    return {spec.code: spec.rule for spec in parsed.indicators()}


def definition_check(definition: dict, base: dict, *, field: str) -> list[str]:
    """What a definition may not change of its base: another methodology, nothing at all,
    indicators without data in the score set, the rules of computed indicators."""
    if definition.get("slug") != base.get("slug"):
        slug = str(definition.get("slug", ""))[:60]
        raise ProposalInputError(
            [OTHER_METHODOLOGY % {"slug": slug, "base": base.get("slug")}], field=field
        )
    if _comparable(definition) == _comparable(base):
        version = f"{base.get('slug')} {base.get('version')}"
        raise ProposalInputError([NOTHING_CHANGES % {"version": version}], field=field)
    parsed, published = methodology_parse(definition), methodology_parse(base)
    new = sorted(parsed.codes_needed() - published.codes_needed())
    if new:
        raise ProposalInputError([NEW_INDICATORS % {"codes": ", ".join(new)}], field=field)
    before, after = _indicator_rules(base), _indicator_rules(definition)
    changed = sorted(code for code, rule in after.items() if rule != before.get(code))
    if changed:
        raise ProposalInputError([CHANGED_RULES % {"codes": ", ".join(changed)}], field=field)
    return methodology_changes(base, definition)


def proposal_prepare(*, state: str = "", source: str = "") -> Prepared:
    """The definition of a proposal, from the explorer's query string or from a methodology
    file (the file wins when both are given), measured on the current headline score set.

    Raises ProposalInputError (field "state" or "source") naming every problem found.
    """
    if not state.strip() and not source.strip():
        raise ProposalInputError([str(NEITHER)], field="source")
    try:
        score_set = headline_score_set()
    except DomainError as exc:
        raise ProposalInputError([exc.message], field="source") from None
    inputs = score_set_inputs(score_set)
    base = inputs["methodology"]
    if source.strip():
        if len(source) > SOURCE_MAX:
            raise ProposalInputError(
                [
                    _("The file is longer than %(max)s characters.")
                    % {"max": number_format(SOURCE_MAX, force_grouping=True)}
                ],
                field="source",
            )
        try:
            definition = copy.deepcopy(methodology_load(source).raw)
        except MethodologyError as exc:
            raise ProposalInputError(exc.errors, field="source") from None
        field, state = "source", ""
    else:
        try:
            definition = variant_definition(base, state_parse(state))
        except VariantError as exc:
            raise ProposalInputError(exc.errors, field="state") from None
        field, source = "state", source_dump(definition)
    changes = definition_check(definition, base, field=field)
    return Prepared(
        base_version=score_set.methodology_version,
        score_set=score_set,
        definition=definition,
        digest=definition_digest(definition),
        source=source,
        explorer_state=state.strip(),
        changes=changes,
        shifts=shifts_compute(definition, score_set, inputs),
    )


def proposal_shifts_reproduce(proposal) -> bool:
    """The stored shifts are what the stored definition gives on the stored score set's
    inputs: the definition still has its digest, and scoring it again gives the same rows."""
    if definition_digest(proposal.definition) != proposal.definition_digest:
        return False
    score_set = ScoreSet.objects.get(pk=proposal.score_set_id)
    return shifts_compute(proposal.definition, score_set) == proposal.shifts
