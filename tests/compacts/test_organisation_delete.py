"""An owner deletes an organisation made by mistake, while it is unverified and nothing of it
is public or binds another organisation; otherwise the refusal says why and changes nothing."""

import pytest
from django.core.exceptions import PermissionDenied

from aimai_site.errors import DomainError
from compacts import services
from compacts.models import Invitation, Membership, Offer, Organisation
from tests.compacts.conftest import compact_ready, mistaken_organisation
from tests.compacts.test_form_permissions import fingerprint

pytestmark = pytest.mark.django_db


def test_an_owner_deletes_an_unverified_organisation_with_its_drafts(client, cast):
    org = mistaken_organisation(cast)
    services.offer_save(  # a draft
        user=cast.provider_owner,
        organisation=org,
        kind="know_how",
        title="Advice",
        description="On governance.",
        domains=["health"],
        languages=["en"],
        licence="open_permissive",
    )
    client.force_login(cast.provider_owner)
    assert "Delete this organisation" in client.get(org.get_absolute_url()).content.decode()
    assert (
        "Delete this organisation" in client.get(f"{org.get_absolute_url()}edit/").content.decode()
    )
    page = client.get(f"/compacts/organisations/{org.slug}/delete/")
    assert page.status_code == 200
    assert "cannot be undone" in page.content.decode()
    response = client.post(f"/compacts/organisations/{org.slug}/delete/", follow=True)
    assert response.redirect_chain[-1][0] == "/compacts/dashboard/"
    assert "Made By Mistake is deleted." in response.content.decode()
    assert not Organisation.objects.filter(pk=org.pk).exists()
    assert not Offer.objects.filter(organisation_id=org.pk).exists()
    assert not Membership.objects.filter(organisation_id=org.pk).exists()
    assert not Invitation.objects.filter(organisation_id=org.pk).exists()


def _refused(cast, org, why: str) -> None:
    before = fingerprint()
    with pytest.raises(DomainError, match=why):
        services.organisation_delete(user=cast.provider_owner, organisation=org)
    assert fingerprint() == before


def test_a_verified_organisation_stays(cast):
    services.organisation_verify(user=cast.editor, organisation=cast.provider)
    _refused(cast, cast.provider, "is verified")


def test_an_organisation_once_in_the_registry_stays(cast):
    services.organisation_verify(user=cast.editor, organisation=cast.provider)
    # a change of identity takes the verification away, not the registry's entry
    org = services.organisation_update(
        user=cast.provider_owner, organisation=cast.provider, website="https://occ.example"
    )
    assert not org.verified
    _refused(cast, org, "transparency registry")


def test_a_member_of_the_alliance_stays(cast):
    # its acceptance is an entry of the log (a published offer or need needs one too)
    _refused(cast, cast.provider, "transparency registry")


def test_a_party_to_a_compact_stays(cast):
    org = mistaken_organisation(cast)
    compact = compact_ready(cast, verified=False)
    services.party_add(user=cast.provider_owner, compact=compact, organisation=org, role="funder")
    _refused(cast, org, "party to a compact")


def test_only_an_owner_deletes(cast):
    with pytest.raises(PermissionDenied):
        services.organisation_delete(user=cast.provider_member, organisation=cast.provider)
    assert Organisation.objects.filter(pk=cast.provider.pk).exists()


def test_the_page_says_why_it_cannot_be_deleted_and_changes_nothing(client, cast):
    client.force_login(cast.provider_owner)
    url = f"/compacts/organisations/{cast.provider.slug}/delete/"
    page = client.get(url).content.decode()
    assert "It cannot be deleted:" in page
    assert "transparency registry" in page
    before = fingerprint()
    response = client.post(url, follow=True)
    assert response.redirect_chain == [(url, 302)]
    assert "Not deleted:" in response.content.decode()
    assert fingerprint() == before


def test_the_api_deletes_or_says_why_not(client, cast):
    client.force_login(cast.provider_owner)
    url = f"/api/v1/organisations/{cast.provider.slug}/"
    refused = client.delete(url)
    assert refused.status_code == 409
    assert refused.json()["code"] == "not_deletable"
    assert "transparency registry" in refused.json()["message"]
    mistake = mistaken_organisation(cast)
    client.force_login(cast.outsider)
    assert client.delete(f"/api/v1/organisations/{mistake.slug}/").status_code in (403, 404)
    client.force_login(cast.provider_owner)
    assert client.delete(f"/api/v1/organisations/{mistake.slug}/").status_code == 204
    assert not Organisation.objects.filter(pk=mistake.pk).exists()
