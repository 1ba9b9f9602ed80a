"""Every party keeps its place: only a party's own owner withdraws it, a compact past draft keeps
two parties or more, a withdrawal voids the signatures and stays in the history, and nobody
changes or deletes what another party commits."""

import pytest
from django.core.exceptions import PermissionDenied

from aimai_site.errors import DomainError
from compacts import services
from compacts.choices import ResourceKind
from compacts.models import Compact, Party, Resource, Signature, Transition
from registry.models import Entry
from tests.compacts.conftest import compact_ready
from tests.compacts.test_api import client_for
from tests.compacts.test_services import _activate

pytestmark = pytest.mark.django_db


def _proposed(cast) -> Compact:
    return services.compact_transition(
        user=cast.provider_owner, compact=compact_ready(cast), action="propose"
    )


def _funder_joins(cast, compact: Compact, what: str) -> Party:
    """The outsider's organisation is named as a funder and joins by committing `what`."""
    funder = services.party_add(
        user=cast.provider_owner, compact=compact, organisation=cast.outsider_org, role="funder"
    )
    services.compact_part_save(
        user=cast.outsider,
        compact=compact,
        part="resource",
        party=funder,
        kind=ResourceKind.KNOW_HOW,
        description=what,
    )
    return funder


def _snapshot(compact: Compact) -> dict:
    return {
        "compact": Compact.objects.filter(pk=compact.pk).values().get(),
        "parties": list(compact.parties.values()),
        "resources": list(Resource.objects.filter(compact=compact).values()),
        "signatures": list(Signature.objects.filter(compact=compact).values()),
        "history": list(compact.transitions.values()),
    }


def test_the_reproduction_one_party_cannot_remove_the_creator_and_activate_alone(cast):
    """A member of the steward tried to remove the provider (the compact's creator), then sign,
    submit and have it activated with one party."""
    compact = _proposed(cast)
    provider = compact.parties.get(organisation=cast.provider)
    before = _snapshot(compact)
    steward_api = client_for(cast.steward_member)
    url = f"/api/v1/compacts/{compact.pk}/"
    response = steward_api.delete(f"{url}parties/{provider.pk}/")
    assert response.status_code == 403, response.content
    assert response.json()["message"] == (
        "Only an owner of Open Compute Cooperative can withdraw it from this compact."
    )
    response = client_for(cast.steward_owner).delete(f"{url}parties/{provider.pk}/")
    assert response.status_code == 403
    assert _snapshot(compact) == before
    assert Resource.objects.filter(party=provider).exists()  # its commitments are its own


def test_the_page_refuses_the_same(client, cast):
    compact = compact_ready(cast)
    provider = compact.parties.get(organisation=cast.provider)
    before = _snapshot(compact)
    client.force_login(cast.steward_owner)
    response = client.post(f"/compacts/{compact.pk}/parties/{provider.pk}/remove/")
    assert response.status_code == 403
    assert _snapshot(compact) == before


def test_a_party_cannot_leave_a_proposed_compact_with_one_party(cast):
    compact = _proposed(cast)
    steward = compact.parties.get(organisation=cast.steward)
    before = _snapshot(compact)
    response = client_for(cast.steward_owner).delete(
        f"/api/v1/compacts/{compact.pk}/parties/{steward.pk}/"
    )
    assert response.status_code == 409, response.content
    body = response.json()
    assert body["code"] == "party_stays"
    assert "withdraw the compact instead" in body["message"]
    assert _snapshot(compact) == before


def test_a_party_withdraws_itself_the_signatures_are_void_and_the_history_says_so(cast):
    compact = _proposed(cast)
    outsider_party = _funder_joins(cast, compact, "Two evaluation engineers")
    services.organisation_verify(user=cast.editor, organisation=cast.outsider_org)
    compact.refresh_from_db()
    for owner in (cast.provider_owner, cast.steward_owner):
        compact = services.compact_transition(user=owner, compact=compact, action="sign")
    assert compact.status == "proposed"  # the funder has not signed yet
    signed_revision = compact.revision
    services.party_remove(user=cast.outsider, party=outsider_party, reason="Budget cut.")
    compact.refresh_from_db()
    assert compact.status == "proposed"
    assert compact.revision == signed_revision + 1
    assert not compact.signatures.filter(revision=compact.revision).exists()
    assert compact.parties.count() == 2
    withdrawal = compact.transitions.get(action="party withdrawn")
    assert withdrawal.organisation == cast.outsider_org
    assert withdrawal.reason == "Budget cut."
    assert withdrawal.actor == cast.outsider
    assert compact.transitions.filter(action="edit").exists()  # the void signatures, said so
    # the two remaining parties sign again to go on
    for owner in (cast.provider_owner, cast.steward_owner):
        compact = services.compact_transition(user=owner, compact=compact, action="sign")
    assert compact.status == "signed"


def test_a_signed_compact_goes_back_to_proposed_when_a_party_leaves(cast):
    compact = _proposed(cast)
    funder = _funder_joins(cast, compact, "Evaluation")
    services.organisation_verify(user=cast.editor, organisation=cast.outsider_org)
    compact.refresh_from_db()
    for owner in (cast.provider_owner, cast.steward_owner, cast.outsider):
        compact = services.compact_transition(user=owner, compact=compact, action="sign")
    assert compact.status == "signed"
    services.party_remove(user=cast.outsider, party=funder)
    compact.refresh_from_db()
    assert compact.status == "proposed"
    with pytest.raises(DomainError, match="only from signed"):
        services.compact_transition(user=cast.provider_owner, compact=compact, action="submit")


def test_a_plain_member_cannot_withdraw_its_own_party(cast):
    compact = compact_ready(cast)
    provider = compact.parties.get(organisation=cast.provider)
    with pytest.raises(PermissionDenied, match="Only an owner of Open Compute Cooperative"):
        services.party_remove(user=cast.provider_member, party=provider)
    assert Party.objects.filter(pk=provider.pk).exists()


def test_in_a_draft_the_owner_may_withdraw_its_own_party_with_its_own_resources(cast):
    compact = compact_ready(cast)
    steward = compact.parties.get(organisation=cast.steward)
    provider_resources = list(compact.resources.filter(party__organisation=cast.provider))
    services.party_remove(user=cast.steward_owner, party=steward)
    assert list(compact.resources.all()) == provider_resources
    assert compact.transitions.filter(action="party withdrawn", organisation=cast.steward).exists()


def test_in_a_draft_a_naming_is_taken_back_before_the_named_party_joined(cast):
    compact = compact_ready(cast)
    funder = services.party_add(
        user=cast.provider_member, compact=compact, organisation=cast.outsider_org, role="funder"
    )
    services.party_remove(user=cast.provider_member, party=funder)
    assert not compact.parties.filter(organisation=cast.outsider_org).exists()
    taken_back = compact.transitions.get(action="naming withdrawn")
    assert taken_back.organisation == cast.provider  # who took it back
    assert "Elsewhere Ltd was named but had not joined" in taken_back.reason


def test_a_party_that_committed_something_is_its_own_to_withdraw(cast):
    compact = compact_ready(cast)
    funder = _funder_joins(cast, compact, "Evaluation")
    with pytest.raises(PermissionDenied):
        services.party_remove(user=cast.provider_owner, party=funder)
    assert Resource.objects.filter(party=funder).exists()


def test_the_creator_party_cannot_be_taken_off_even_before_it_commits(cast):
    compact = services.compact_create(
        user=cast.provider_owner, organisation=cast.provider, role="provider", title="Early"
    )
    services.party_add(
        user=cast.provider_owner, compact=compact, organisation=cast.steward, role="data_steward"
    )
    provider = compact.parties.get(organisation=cast.provider)
    with pytest.raises(PermissionDenied):
        services.party_remove(user=cast.steward_owner, party=provider)
    assert Party.objects.filter(pk=provider.pk).exists()


def test_the_last_party_of_a_draft_stays(cast):
    compact = services.compact_create(
        user=cast.provider_owner, organisation=cast.provider, role="provider", title="Alone"
    )
    with pytest.raises(DomainError, match="withdraw the compact instead"):
        services.party_remove(
            user=cast.provider_owner, party=compact.parties.get(organisation=cast.provider)
        )


@pytest.mark.parametrize("status", ["under_review", "active"])
def test_no_party_leaves_a_compact_under_review_or_in_force(cast, status):
    compact = _proposed(cast)
    for owner in (cast.provider_owner, cast.steward_owner):
        compact = services.compact_transition(user=owner, compact=compact, action="sign")
    compact = services.compact_transition(user=cast.steward_owner, compact=compact, action="submit")
    if status == "active":
        compact = services.compact_transition(user=cast.editor, compact=compact, action="activate")
    steward = compact.parties.get(organisation=cast.steward)
    before, entries = _snapshot(compact), Entry.objects.count()
    with pytest.raises(DomainError, match="keeps its parties") as refused:
        services.party_remove(user=cast.steward_owner, party=steward)
    assert refused.value.code == "party_stays"
    assert _snapshot(compact) == before
    assert Entry.objects.count() == entries


def test_every_forward_action_needs_two_parties_not_only_propose(cast):
    """Were a compact past draft ever left with one party, it could not move on."""
    compact = _proposed(cast)
    Party.objects.filter(compact=compact, organisation=cast.steward).delete()  # as by old code
    with pytest.raises(DomainError, match="at least two parties"):
        services.compact_transition(user=cast.provider_owner, compact=compact, action="sign")


def test_nobody_writes_or_deletes_what_another_party_commits(cast):
    compact = compact_ready(cast)
    steward = compact.parties.get(organisation=cast.steward)
    theirs = compact.resources.get(party=steward)
    before = _snapshot(compact)
    url = f"/api/v1/compacts/{compact.pk}/resources/"
    api = client_for(cast.provider_owner)
    response = api.delete(f"{url}{theirs.pk}/")
    assert response.status_code == 403, response.content
    assert response.json()["message"].startswith("Only members of Nairobi Health Data Trust")
    response = api.post(
        url, {"party": steward.pk, "kind": "dataset", "description": "Theirs"}, format="json"
    )
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        services.compact_part_save(
            user=cast.provider_owner,
            compact=compact,
            part="resource",
            instance=theirs,
            description="Less than promised",
        )
    assert _snapshot(compact) == before


def test_the_resource_form_offers_only_the_members_own_parties(client, cast):
    compact = compact_ready(cast)
    steward = compact.parties.get(organisation=cast.steward)
    client.force_login(cast.provider_member)
    page = client.get(f"/compacts/{compact.pk}/edit/").content.decode()
    assert f'<option value="{steward.pk}"' not in page
    form = {"resource-party": steward.pk, "resource-kind": "dataset"}
    response = client.post(
        f"/compacts/{compact.pk}/resource/add/", form | {"resource-description": "Theirs"}
    )
    assert response.status_code == 400
    assert not Resource.objects.filter(description="Theirs").exists()


def test_an_amendment_copies_every_party_with_its_own_commitments(cast):
    v1 = _activate(cast, compact_ready(cast))
    v2 = services.compact_amend(user=cast.provider_owner, compact=v1, reason="More hours.")
    assert v2.parties.count() == v1.parties.count() == 2
    for resource in v2.resources.select_related("party"):
        assert resource.party.compact_id == v2.pk
    copied = {(r.party.organisation_id, r.description) for r in v2.resources.all()}
    assert copied == {(r.party.organisation_id, r.description) for r in v1.resources.all()}
    # and the version in force is not left by an amendment either
    with pytest.raises(DomainError, match="party to the version in force"):
        services.party_remove(
            user=cast.steward_owner, party=v2.parties.get(organisation=cast.steward)
        )
    assert not Transition.objects.filter(compact=v2, action="party withdrawn").exists()


def test_the_page_offers_each_member_only_the_buttons_the_rules_allow(client, cast):
    compact = compact_ready(cast)
    funder = services.party_add(
        user=cast.provider_owner, compact=compact, organisation=cast.outsider_org, role="funder"
    )
    url = f"/compacts/{compact.pk}/"
    provider = compact.parties.get(organisation=cast.provider)
    steward = compact.parties.get(organisation=cast.steward)
    theirs = compact.resources.get(party=steward)
    client.force_login(cast.provider_owner)
    page = client.get(f"{url}edit/").content.decode()
    assert f"{url}parties/{provider.pk}/remove/" in page  # its own: "Withdraw"
    assert 'aria-label="Withdraw Open Compute Cooperative"' in page
    assert f"{url}parties/{funder.pk}/remove/" in page  # only named: "Remove"
    assert 'aria-label="Remove Elsewhere Ltd"' in page
    assert f"{url}parties/{steward.pk}/remove/" not in page  # another's, joined
    assert f"{url}resource/{theirs.pk}/remove/" not in page
    client.force_login(cast.provider_member)  # a plain member withdraws nothing
    page = client.get(f"{url}edit/").content.decode()
    assert f"{url}parties/{provider.pk}/remove/" not in page
