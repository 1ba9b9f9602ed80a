"""What-if variants: the published definition scored again gives the published numbers; a
state's changes are applied, named, and refused with reasons when they cannot be."""

import pytest

from countries.models import ScoreSet
from countries.scoring import score_set_inputs
from countries.selectors import score_set_resolve
from countries.whatif import (
    VariantError,
    biggest_movers,
    definition_digest,
    rank_shifts,
    variant_definition,
    variant_score,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def published():
    score_set = ScoreSet.objects.get(pk=score_set_resolve().pk)
    return score_set, score_set_inputs(score_set)


def test_the_published_definition_gives_the_published_ranking(published):
    score_set, inputs = published
    definition = variant_definition(inputs["methodology"], {})
    assert definition == inputs["methodology"]  # nothing changed: not even the version
    shifts = rank_shifts(score_set.outputs, variant_score(definition, inputs))
    assert len(shifts) == len(score_set.outputs["scores"]) > 150
    assert all(s.rank == s.published_rank and s.aimai == s.published_aimai for s in shifts)
    assert biggest_movers(shifts) == []


def test_a_changed_weighting_moves_countries_and_is_named_a_variant(published):
    score_set, inputs = published
    base = inputs["methodology"]
    definition = variant_definition(base, {"d.burden": "0", "bridger": "5"})
    assert definition["version"] == base["version"] + "-variant"
    assert definition["index"]["weights"]["burden"] == 0
    assert definition_digest(definition) != definition_digest(base)
    shifts = rank_shifts(score_set.outputs, variant_score(definition, inputs))
    movers = biggest_movers(shifts, n=5)
    assert len(movers) == 5
    assert all(m.moved for m in movers)


def test_an_indicator_switched_off_leaves_its_group(published):
    _, inputs = published
    base = inputs["methodology"]
    first = base["dimensions"]["capability"]
    while "groups" in first:
        first = first["groups"][0]
    code = first["indicators"][0]["code"]
    definition = variant_definition(base, {"off": [code]})
    assert code not in str(definition["dimensions"]["capability"])


def test_bad_states_are_refused_with_every_reason(published):
    _, inputs = published
    with pytest.raises(VariantError) as refused:
        variant_definition(
            inputs["methodology"],
            {"d.nowhere": "1", "w.NOPE": "2", "bridger": "high", "colour": "red"},
        )
    assert len(refused.value.errors) == 4
    assert "no dimension “nowhere”" in refused.value.errors[0]
