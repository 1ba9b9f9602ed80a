"""Holes found by a review as a new user would use the platform; each test failed first."""

import pytest
from django.core.exceptions import PermissionDenied

from aimai_site.errors import DomainError, InvalidInput
from compacts import services
from compacts.models import Compact, Suggestion
from compacts.suggestions import suggestions_recompute
from countries.models import Country
from tests.compacts.conftest import compact_ready
from tests.compacts.test_api import _offer_post, active_compact, client_for
from tests.compacts.test_services import _activate
from tests.compacts.test_suggestions import listings, publish


def test_an_amendment_cannot_drop_a_party_of_the_version_in_force(cast):
    v1 = _activate(cast, compact_ready(cast))
    v2 = services.compact_amend(user=cast.provider_owner, compact=v1, reason="Fewer partners.")
    steward = v2.parties.get(organisation=cast.steward)
    with pytest.raises(DomainError, match="party to the version in force"):
        services.party_remove(user=cast.steward_owner, party=steward)  # even by its own owner
    assert v2.parties.filter(organisation=cast.steward).exists()


def test_a_verified_organisation_that_changes_who_it_is_must_be_verified_again(cast):
    services.organisation_verify(user=cast.editor, organisation=cast.steward)
    org = services.organisation_update(
        user=cast.steward_owner, organisation=cast.steward, description="We curate speech data."
    )
    assert org.verified  # a description is not an identity
    org = services.organisation_update(
        user=cast.steward_owner,
        organisation=cast.steward,
        name="World Health Organization",
        country=Country.objects.get(iso3="CHE"),
    )
    assert not org.verified
    assert org.verified_by is None


def test_a_reporting_period_has_a_sane_maximum(cast):
    compact = compact_ready(cast)
    response = client_for(cast.provider_owner).patch(
        f"/api/v1/compacts/{compact.pk}/", {"reporting_period_days": 10**12}, format="json"
    )
    assert response.status_code == 400
    assert "reporting_period_days" in response.json()["fields"]
    compact.refresh_from_db()
    assert compact.reporting_period_days == 90


def test_a_plain_member_drafts_but_cannot_rewrite_a_published_listing(cast):
    offer, need = listings(cast)
    services.offer_save(user=cast.provider_member, instance=offer, title="Draft title")
    publish(cast, offer, need)
    with pytest.raises(PermissionDenied):
        services.offer_save(user=cast.provider_member, instance=offer, title="Changed behind")
    offer.refresh_from_db()
    assert offer.title == "Draft title"
    services.offer_save(user=cast.provider_owner, instance=offer, title="Owner's wording")


def test_suggestions_keep_their_ids_across_recomputes(cast):
    publish(cast, *listings(cast))
    suggestions_recompute()
    first = Suggestion.objects.get()
    suggestions_recompute()  # e.g. someone else published something
    again = Suggestion.objects.get()
    assert again.pk == first.pk


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"languages": ["english!!"]}, "languages"),
        ({"targets": ["ZZZ"]}, "targets"),
        ({"targets": [1, 2]}, "targets"),
    ],
)
def test_the_api_checks_languages_and_targets_as_the_forms_do(cast, changes, field):
    response = _offer_post(cast, **changes)
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"]


def test_language_codes_and_targets_are_normalised_everywhere(cast):
    response = _offer_post(cast, languages=["EN", "pt-br"], targets=["ken", "africa"])
    assert response.status_code == 201, response.content
    assert response.json()["languages"] == ["en", "pt-BR"]
    assert response.json()["targets"] == ["KEN", "Africa"]


def test_confirming_for_a_malformed_party_is_a_404_not_a_crash(client, cast):
    compact = active_compact(cast)
    compact.refresh_from_db()
    report = services.report_file(
        user=cast.steward_owner,
        compact=compact,
        party=compact.parties.get(organisation=cast.steward),
        period_end=compact.activated_at.date(),
        summary="First quarter.",
    )
    client.force_login(cast.provider_owner)
    response = client.post(f"/compacts/reports/{report.pk}/confirm/", {"party": "x"})
    assert response.status_code == 404


@pytest.mark.parametrize("action", ["return", "terminate", "withdraw"])
def test_a_missing_reason_is_a_400_naming_the_field(cast, action):
    compact = compact_ready(cast)
    with pytest.raises(InvalidInput) as refused:
        services.compact_transition(user=cast.provider_owner, compact=compact, action=action)
    assert refused.value.field == "reason"


def test_the_compact_filters_accept_a_lowercase_country(client, cast):
    assert client.get("/compacts/", {"country": "ken"}).status_code == 200


def test_saving_nothing_new_keeps_the_signatures(cast):
    compact = compact_ready(cast)
    compact = services.compact_transition(
        user=cast.provider_owner, compact=compact, action="propose"
    )
    compact = services.compact_transition(user=cast.provider_owner, compact=compact, action="sign")
    services.compact_update(user=cast.provider_owner, compact=compact, title=compact.title)
    assert Compact.objects.get(pk=compact.pk).revision == compact.revision


def test_a_report_cannot_predate_the_compact(cast):
    compact = _activate(cast, compact_ready(cast))
    with pytest.raises(InvalidInput) as refused:
        services.report_file(
            user=cast.steward_owner,
            compact=compact,
            party=compact.parties.get(organisation=cast.steward),
            period_end=compact.activated_at.date().replace(year=1000),
            summary="Long ago.",
        )
    assert refused.value.field == "period_end"


def test_refusing_an_edit_says_what_to_do_only_when_it_can_be_done(cast):
    compact = _activate(cast, compact_ready(cast))
    with pytest.raises(DomainError, match="Amend it instead"):
        services.compact_update(user=cast.provider_owner, compact=compact, title="x")
    compact = services.compact_transition(
        user=cast.provider_owner, compact=compact, action="complete", reason="Done."
    )
    with pytest.raises(DomainError) as refused:
        services.compact_update(user=cast.provider_owner, compact=compact, title="x")
    assert refused.value.message == "A completed compact cannot be edited."


def test_a_signature_from_the_pages_names_the_revision_read(client, cast):
    compact = compact_ready(cast)
    compact = services.compact_transition(
        user=cast.provider_owner, compact=compact, action="propose"
    )
    party = compact.parties.get(organisation=cast.provider)
    client.force_login(cast.provider_owner)
    response = client.post(f"/compacts/{compact.pk}/act/sign/", {"party": party.pk}, follow=True)
    assert response.redirect_chain == [(f"/compacts/{compact.pk}/", 303)]
    assert "Sign from the compact&#x27;s page." in response.content.decode()
    assert not compact.signatures.exists()


def test_a_withdrawn_listing_can_be_published_again(cast):
    offer, need = listings(cast)
    publish(cast, offer, need)
    services.listing_withdraw(user=cast.provider_owner, listing=offer)
    offer = services.listing_publish(user=cast.provider_owner, listing=offer)
    assert offer.status == "published"


def test_a_compact_with_reports_awaiting_confirmation_cannot_be_completed(cast):
    compact = _activate(cast, compact_ready(cast))
    report = services.report_file(
        user=cast.steward_owner,
        compact=compact,
        party=compact.parties.get(organisation=cast.steward),
        period_end=compact.activated_at.date(),
        summary="Targets met, we say.",
    )
    with pytest.raises(DomainError, match="not yet confirmed by every party"):
        services.compact_transition(
            user=cast.steward_owner, compact=compact, action="complete", reason="Done."
        )
    services.report_confirm(
        user=cast.provider_owner,
        report=report,
        party=compact.parties.get(organisation=cast.provider),
    )
    compact = services.compact_transition(
        user=cast.steward_owner, compact=compact, action="complete", reason="Done."
    )
    assert compact.status == "completed"


def test_one_suggestion_starts_one_compact_at_a_time(cast):
    publish(cast, *listings(cast))
    suggestions_recompute()
    suggestion = Suggestion.objects.get()
    first = services.compact_from_suggestion(user=cast.steward_owner, suggestion=suggestion)
    with pytest.raises(DomainError, match=f"already started: {first.reference}"):
        services.compact_from_suggestion(user=cast.provider_owner, suggestion=suggestion)
    services.compact_transition(
        user=cast.steward_owner, compact=first, action="withdraw", reason="Wrong partner."
    )
    second = services.compact_from_suggestion(user=cast.provider_owner, suggestion=suggestion)
    assert second.pk != first.pk
