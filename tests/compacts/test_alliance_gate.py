"""Membership of the alliance is the gate: only accepted members publish offers and needs and
sign compacts; a membership lapses when a new version of the principles goes unendorsed."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from aimai_site.errors import DomainError, InvalidInput
from compacts import services
from compacts.alliance import services as alliance
from compacts.alliance.clusters import cluster_approve, cluster_propose
from compacts.alliance.models import AllianceMembership, ClusterMember
from compacts.choices import ResourceKind
from compacts.models import Offer
from countries.models import Country
from registry.models import Entry
from tests.compacts.conftest import compact_ready, member_make, principles_current

NEW_TEXT = [
    {"title": "Shared capability over dominance", "text": "Progress is shared capability."},
    {"title": "Mutual aid by design", "text": "Reciprocal, auditable agreements."},
    {"title": "Safeguarded contribution", "text": "Sovereign data trusts and registries."},
    {"title": "Pluralism as safety", "text": "Diverse cultures, values and languages."},
    {"title": "Accountability and redress", "text": "Shared responsibility for remedies."},
]


def _membership(org) -> AllianceMembership:
    return AllianceMembership.objects.get(organisation=org, status__in=["accepted", "lapsed"])


def _offer(org, owner) -> Offer:
    return services.offer_save(
        user=owner,
        organisation=org,
        kind=ResourceKind.COMPUTE,
        title="Spare GPU time",
        description="Nights and weekends.",
        domains=["health"],
        amount=100,
        unit="GPU-hours per month",
        languages=["en"],
        licence="open_permissive",
    )


def test_an_organisation_that_has_not_joined_cannot_publish_and_is_told_how_to(cast):
    owner = member_make("new@fresh.example")
    org = services.organisation_create(
        user=owner, name="Fresh Compute", kind="for_profit", country=Country.objects.get(iso3="GHA")
    )
    offer = _offer(org, owner)  # a draft is fine: it is not public
    with pytest.raises(PermissionDenied, match="Fresh Compute has not applied to join.*/join/"):
        services.listing_publish(user=owner, listing=offer)
    offer.refresh_from_db()
    assert offer.status == "draft"
    membership = alliance.membership_apply(
        user=owner,
        organisation=org,
        reason="We have GPUs to share.",
        ways=["contribute"],
        endorse=True,
        principles_version=principles_current().version,
    )
    with pytest.raises(PermissionDenied, match="awaits an editor's decision"):
        services.listing_publish(user=owner, listing=offer)
    alliance.membership_accept(user=cast.editor, membership=membership)
    assert services.listing_publish(user=owner, listing=offer).status == "published"


def test_a_suspended_member_cannot_sign_and_is_told_why(cast):
    compact = compact_ready(cast)
    compact = services.compact_transition(
        user=cast.provider_owner, compact=compact, action="propose"
    )
    alliance.membership_suspend(
        user=cast.editor, membership=_membership(cast.steward), reason="Under investigation."
    )
    with pytest.raises(DomainError, match="accepted member of the alliance.*Nairobi Health"):
        services.compact_transition(user=cast.steward_owner, compact=compact, action="sign")
    assert not compact.signatures.exists()
    suspended = Entry.objects.get(event="membership.suspended")
    assert suspended.organisation == "Nairobi Health Data Trust"


def test_applying_needs_the_principles_endorsed_as_read(cast):
    owner = member_make("reader@slow.example")
    fields = {
        "user": owner,
        "new_organisation": {
            "name": "Slow Readers",
            "kind": "non_profit",
            "country": Country.objects.get(iso3="PER"),
        },
        "reason": "To take part.",
        "ways": ["compass"],
    }
    with pytest.raises(InvalidInput, match="endorse"):
        alliance.membership_apply(**fields, endorse=False, principles_version=1)
    alliance.principles_publish(user=cast.editor, principles=NEW_TEXT, note="Shorter wording.")
    with pytest.raises(DomainError, match="changed to version 2 while you were reading version 1"):
        alliance.membership_apply(**fields, endorse=True, principles_version=1)
    assert not AllianceMembership.objects.filter(organisation__name="Slow Readers").exists()
    membership = alliance.membership_apply(**fields, endorse=True, principles_version=2)
    assert membership.endorsement().principles.version == 2


def test_a_new_version_unendorsed_in_time_lapses_memberships_and_endorsing_renews(cast):
    before = Entry.objects.count()
    v2 = alliance.principles_publish(
        user=cast.editor, principles=NEW_TEXT, note="Shorter wording.", renewal_days=30
    )
    published = Entry.objects.get(event="principles.published", identifier="principles@2")
    assert published.digest == v2.digest
    assert alliance.memberships_lapse(now=timezone.now() + timedelta(days=29)) == 0
    alliance.membership_endorse(user=cast.provider_owner, membership=_membership(cast.provider))
    assert alliance.memberships_lapse(now=timezone.now() + timedelta(days=31)) == 2
    assert _membership(cast.provider).status == "accepted"  # it endorsed version 2 in time
    lapsed = _membership(cast.steward)
    assert lapsed.status == "lapsed"
    assert "Version 2 of the principles was not endorsed" in lapsed.status_reason
    with pytest.raises(PermissionDenied, match="lapsed"):
        services.listing_publish(
            user=cast.steward_owner, listing=_offer(cast.steward, cast.steward_owner)
        )
    alliance.membership_endorse(user=cast.steward_owner, membership=lapsed)
    assert _membership(cast.steward).status == "accepted"
    events = list(Entry.objects.filter(leaf_index__gte=before).values_list("event", flat=True))
    assert events == [
        "principles.published",
        "membership.lapsed",
        "membership.lapsed",
        "membership.renewed",
    ]


def test_only_an_owner_endorses_or_ends_and_only_editors_decide(cast):
    membership = _membership(cast.provider)
    for user in (cast.provider_member, cast.steward_owner):
        with pytest.raises(PermissionDenied):
            alliance.membership_end(user=user, membership=membership)
    for user in (cast.provider_owner, cast.steward_owner):
        with pytest.raises(PermissionDenied):
            alliance.membership_suspend(user=user, membership=membership, reason="No.")
    with pytest.raises(InvalidInput, match="reason is required"):
        alliance.membership_suspend(user=cast.editor, membership=membership, reason=" ")
    assert _membership(cast.provider).status == "accepted"
    cluster = cluster_propose(
        user=cast.provider_owner,
        organisation=cast.provider,
        name="Western Europe compute",
        description="Shared compute in Western Europe.",
        region_kind="subregion",
        region_name="Western Europe",
        domains=["health"],
    )
    cluster_approve(user=cast.editor, cluster=cluster)
    assert ClusterMember.objects.current().filter(organisation=cast.provider).exists()
    alliance.membership_end(user=cast.provider_owner, membership=membership, reason="Merging.")
    assert AllianceMembership.objects.get(pk=membership.pk).status == "ended"
    assert Entry.objects.filter(event="membership.ended").count() == 1
    # leaving the alliance leaves its clusters, in the log too
    assert not ClusterMember.objects.current().filter(organisation=cast.provider).exists()
    assert Entry.objects.filter(event="cluster.left").count() == 1


def test_a_decision_reason_with_control_characters_is_refused_and_changes_nothing(cast):
    membership = _membership(cast.steward)
    before = Entry.objects.count()
    with pytest.raises(InvalidInput):
        alliance.membership_suspend(
            user=cast.editor, membership=membership, reason="Misuse\u202e of data"
        )
    assert _membership(cast.steward).status == "accepted"
    assert Entry.objects.count() == before
