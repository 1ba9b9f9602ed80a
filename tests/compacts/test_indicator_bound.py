"""Compacts cannot game the index under a methodology whose rule declares a bound.

The reported case: two newly registered organisations, verified by one editor, made a compact
one editor approved, and within minutes it moved Norway up the index. Under a rule with the
bound, a fresh compact counts nothing; once every party confirmed a progress report (or it has
been active long enough) it counts, never more than the caps; organisations that share a
person count nothing; and the methodology page states what the caps mean in AIMAI points.
"""

from datetime import date, timedelta

import pytest
import yaml
from django.urls import reverse
from django.utils import timezone

from compacts import services
from compacts.choices import ResourceKind
from compacts.indicator import commitment_rows, compacts_counted_for
from compacts.models import Compact
from countries.index.computed import aimai_bound
from countries.index.reading import methodology_parse
from countries.models import Country, DataRelease, MethodologyVersion, Score
from countries.scoring import (
    SHIPPED_DIR,
    index_recompute,
    methodology_version_publish,
    methodology_version_save,
    score_set_compute,
    score_set_inputs,
)
from tests.compacts.conftest import alliance_join, member_make, report_confirmed

RULE = {
    "kind_weights": {"compute": 1, "model": 1, "dataset": 1, "know_how": 0.5},
    "amount": "log10",
    "max_factor": 5,
    "counted_after": {"confirmed_report": True, "active_days": 180},
    "distinct_organisations": True,
    "per_compact_max": 2,
    "total_max": 5,
}
SLUG = "aimai-bound"
# 5,000 GPU-hours: 1 + log10(5001) = 4.699 points before the caps
UNCAPPED = 4.699


def bound_source() -> str:
    """The shipped 1.1 methodology with the bound in compact_commitments' rule."""
    data = yaml.safe_load((SHIPPED_DIR / "aimai-default-1.1.yaml").read_text())
    data.update(slug=SLUG, version="2.0", title="AIMAI with a bound on compacts")
    spec = data["dimensions"]["solidarity"]["indicators"][4]
    assert spec["code"] == "compact_commitments"
    spec["rule"] = RULE
    return yaml.safe_dump(data, allow_unicode=True)


@pytest.fixture
def bound(cast):
    """The bound methodology published (after the cast, so the demo index is loaded)."""
    source = bound_source()
    methodology_version_publish(version=methodology_version_save(source=source))
    return methodology_parse(yaml.safe_load(source))


def norway(slug: str = SLUG, version: str | None = None) -> Score:
    """Norway's score on the current release under `slug`'s latest version (or `version`)."""
    if version is None:
        score_set, _ = index_recompute(slug=slug)[0]
    else:
        published = MethodologyVersion.objects.get(methodology__slug=slug, version=version)
        release = DataRelease.objects.current()
        score_set, _ = score_set_compute(version=published, release=release)
    return score_set.scores.get(country__iso3="NOR")


def organisation(name: str, iso3: str, owner):
    return services.organisation_create(
        user=owner, name=name, kind="for_profit", country=Country.objects.get(iso3=iso3)
    )


def compact_active(editor, first, first_owner, second, second_owner, title="Fjord compute"):
    """A compact in which `first` commits 5,000 GPU-hours to `second`, taken to active through
    the services: proposed, signed by both owners, submitted and approved by the editor."""
    compact = services.compact_create(
        user=first_owner,
        organisation=first,
        role="provider",
        title=title,
        summary="GPU time for a speech model trained on local data.",
        domains=["language"],
        countries=[second.country],
        data_steward="The partner holds the recordings.",
        licensing_terms="Models under Apache-2.0.",
        data_residency="Recordings stay in the partner's country.",
        misuse_prevention="No use for surveillance.",
        exit_and_redress="Either party may exit on 90 days' notice.",
    )
    partner = services.party_add(
        user=first_owner, compact=compact, organisation=second, role="data_steward"
    )
    services.compact_part_save(
        user=first_owner,
        compact=compact,
        part="resource",
        party=compact.parties.get(organisation=first),
        kind=ResourceKind.COMPUTE,
        description="A100 GPU-hours",
        amount=5000,
        unit="GPU-hours per month",
    )
    services.compact_part_save(
        user=second_owner,
        compact=compact,
        part="resource",
        party=partner,
        kind=ResourceKind.DATASET,
        description="Consented speech recordings",
    )
    services.compact_part_save(
        user=first_owner,
        compact=compact,
        part="outcome",
        indicator="Word error rate (%)",
        unit="%",
        baseline=38,
        target=15,
        due=date(2027, 12, 31),
    )
    compact.refresh_from_db()
    compact = services.compact_transition(user=first_owner, compact=compact, action="propose")
    parties = compact.parties.order_by("pk")
    for owner, party in zip((first_owner, second_owner), parties, strict=True):
        compact = services.compact_transition(
            user=owner, compact=compact, action="sign", party=party
        )
    compact = services.compact_transition(user=second_owner, compact=compact, action="submit")
    return services.compact_transition(user=editor, compact=compact, action="activate")


@pytest.fixture
def fresh(cast):
    """Two newly registered organisations, one in Norway, one in Kenya, both verified by the
    same editor."""
    nor_owner = member_make("ola@fjord.example")
    ken_owner = member_make("amani@lake.example")
    nor = organisation("Fjord AI", "NOR", nor_owner)
    ken = organisation("Lake Labs", "KEN", ken_owner)
    for org, owner in ((nor, nor_owner), (ken, ken_owner)):
        alliance_join(org, owner, cast.editor)
        services.organisation_verify(user=cast.editor, organisation=org)
        org.refresh_from_db()
    return nor, nor_owner, ken, ken_owner


def test_a_compact_activated_minutes_ago_does_not_move_norway(cast, bound, fresh):
    before = norway()
    assert before.values["compact_commitments"] == 0.0
    nor, nor_owner, ken, ken_owner = fresh
    compact = compact_active(cast.editor, nor, nor_owner, ken, ken_owner)
    assert compact.status == "active"
    assert timezone.now() - compact.activated_at < timedelta(minutes=5)
    after = norway()
    assert after.values["compact_commitments"] == 0.0
    assert after.aimai == before.aimai
    assert after.rank == before.rank
    assert compacts_counted_for("NOR", rule=RULE) == []
    # the shipped headline, 2.0, has a bound too: the compact does not move Norway there either
    assert norway("aimai-default").score_set.methodology_version.version == "2.0"
    assert norway("aimai-default").values["compact_commitments"] == 0.0
    # what the bound prevents: under 1.1, written before it, the same compact counts at once
    assert norway("aimai-default", version="1.1").values["compact_commitments"] == pytest.approx(
        UNCAPPED, abs=1e-3
    )


def test_once_every_party_confirmed_a_report_it_counts_at_most_per_compact_max(cast, bound, fresh):
    before = norway()
    nor, nor_owner, ken, ken_owner = fresh
    compact = compact_active(cast.editor, nor, nor_owner, ken, ken_owner)
    report_confirmed(compact, nor_owner, ken_owner)
    after = norway()
    assert after.values["compact_commitments"] == 2.0  # 4.699 capped per compact
    assert after.aimai > before.aimai
    counted = compacts_counted_for("NOR", rule=RULE)
    assert counted == [compact]
    assert counted[0].points == 2.0
    # the rows are stored with the score set: its inputs rebuild to the same digest
    assert ["NOR", "compact_commitments", 2026, 2.0] in after.score_set.inputs["computed"]
    assert score_set_inputs(after.score_set)


def test_a_compact_active_long_enough_counts_without_a_report(cast, bound, fresh):
    nor, nor_owner, ken, ken_owner = fresh
    compact = compact_active(cast.editor, nor, nor_owner, ken, ken_owner)
    now = timezone.now()
    Compact.objects.filter(pk=compact.pk).update(activated_at=now - timedelta(days=179, hours=1))
    assert norway().values["compact_commitments"] == 0.0
    assert [row.active_days for row in commitment_rows(at=now)] == [179, 179]
    Compact.objects.filter(pk=compact.pk).update(activated_at=now - timedelta(days=180, hours=1))
    assert norway().values["compact_commitments"] == 2.0


def test_several_compacts_never_add_more_than_total_max_nor_the_stated_aimai_bound(
    cast, bound, fresh
):
    before = norway()
    nor, nor_owner, ken, ken_owner = fresh
    for i in range(4):
        compact = compact_active(
            cast.editor, nor, nor_owner, ken, ken_owner, title=f"Fjord compute {i}"
        )
        report_confirmed(compact, nor_owner, ken_owner)
    points = [c.points for c in compacts_counted_for("NOR", rule=RULE)]
    assert points == [2.0] * 4  # 8 before the total cap
    after = norway()
    assert after.values["compact_commitments"] == 5.0
    stated = aimai_bound(bound, "compact_commitments")
    gain = after.aimai - before.aimai
    assert 0 < gain <= stated.at_min_coverage + 1e-9
    # exactly 5 points of 10 at Norway's own coverage: the weights of the solidarity
    # indicators it has (the demo data has no gdb_score for it: 3.5 of 4.5)
    present = sum(
        leaf.weight
        for leaf in bound.dimensions["solidarity"].leaves()
        if before.values.get(leaf.code) is not None
    )
    assert present == 3.5
    assert gain == pytest.approx(1.125 * 0.5 / present * 50)
    assert stated.full < gain < stated.at_min_coverage
    assert stated.full == pytest.approx(6.25)


def test_organisations_sharing_a_person_count_nothing(cast, bound, fresh):
    nor, nor_owner, ken, ken_owner = fresh
    # one person is a member of both parties' organisations: they could pair with themself
    invitation = services.invitation_create(
        user=ken_owner, organisation=ken, email=nor_owner.email, role="member"
    )
    services.invitation_accept(user=nor_owner, invitation=invitation)
    compact = compact_active(cast.editor, nor, nor_owner, ken, ken_owner)
    report_confirmed(compact, nor_owner, ken_owner)
    assert {row.distinct for row in commitment_rows()} == {False}
    assert norway().values["compact_commitments"] == 0.0
    assert compacts_counted_for("NOR", rule=RULE) == []
    # one person registering both organisations is the plainest case
    same = member_make("solo@twice.example")
    first, second = organisation("Solo North", "NOR", same), organisation("Solo South", "KEN", same)
    for org in (first, second):
        alliance_join(org, same, cast.editor)
        services.organisation_verify(user=cast.editor, organisation=org)
        org.refresh_from_db()
    compact = compact_active(cast.editor, first, same, second, same, title="Self-dealing")
    report_confirmed(compact, same, same)
    assert norway().values["compact_commitments"] == 0.0


def test_the_methodology_page_states_the_bound_in_aimai_points(client, bound):
    page = client.get(reverse("methodology:page")).content.decode()
    assert (
        "Compacts can add at most 2 points per compact and 5 in all to the indicator: at most "
        "6.25 AIMAI points for a country (12.5 where only half of solidarity is measured)."
    ) in page
