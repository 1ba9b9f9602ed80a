"""A person takes part under a random slug and enters the log only as salted commitments;
entries written before that are withheld by a migration; and each door to erasure (the
admin's actions, the command, the member's own account deletion) leaves the log verifying,
every earlier proof included."""

import re
from importlib import import_module

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import timezone

from aimai_site.models import ApiToken
from compacts import services
from compacts.models import AllianceMembership, Organisation
from compacts.registry_names import INDIVIDUAL_SLUG, organisation_event_fields
from countries.models import Country
from registry.models import Commitment, Concern, Entry
from registry.redress import concern_file
from registry.services import Event, commitment_create, registry_append
from tests.compacts.conftest import alliance_join, compact_ready, member_make
from tests.registry.log_checks import extends, head_of, inclusion_holds, log_verified

pytestmark = pytest.mark.django_db

NAME = "Amina Diallo"
OLD_SLUG = "amina-diallo"
EMAIL = "amina@diallo.example"
PASSWORD = "correct horse battery"  # member_make's


def named_anywhere(*texts: str) -> list[int]:
    """Leaf indexes of entries whose stored bytes contain any of the texts."""
    found = []
    for entry in Entry.objects.all():
        columns = (entry.entry, entry.identifier, entry.url, entry.organisation)
        if any(t.lower() in c.lower() for t in texts for c in columns):
            found.append(entry.leaf_index)
    return found


def person() -> tuple:
    user = member_make(EMAIL)
    user.first_name, user.last_name = "Amina", "Diallo"
    user.save()
    org = services.organisation_create(
        user=user, name=NAME, kind="individual", country=Country.objects.get(iso3="KEN")
    )
    return user, org


def active_with(cast, individual: Organisation, owner):
    """The cast's compact, with the individual (a member of the alliance, as a signer must be)
    as a third party, through to activation."""
    alliance_join(individual, owner, cast.editor)
    compact = compact_ready(cast)
    party = services.party_add(
        user=cast.provider_owner, compact=compact, organisation=individual, role="implementer"
    )
    services.compact_part_save(
        user=owner,
        compact=compact,
        part="resource",
        party=party,
        kind="know_how",
        description="Clinical annotation",
    )
    compact.refresh_from_db()
    steps = [
        (cast.provider_owner, "propose"),
        (cast.provider_owner, "sign"),
        (cast.steward_owner, "sign"),
        (owner, "sign"),
        (cast.steward_owner, "submit"),
        (cast.editor, "activate"),
    ]
    for user, action in steps:
        compact = services.compact_transition(user=user, compact=compact, action=action)
    return compact, party


def test_an_individual_enters_the_log_only_as_commitments(cast, client):
    user, org = person()
    assert INDIVIDUAL_SLUG.match(org.slug)
    services.organisation_verify(user=cast.editor, organisation=org)
    compact, party = active_with(cast, org, user)
    services.report_file(
        user=user,
        compact=compact,
        party=party,
        period_end=timezone.localdate(),
        summary="Annotation done.",
    )
    assert named_anywhere(NAME, OLD_SLUG, "Amina", "Diallo") == []
    verified = Entry.objects.get(event="organisation.verified", identifier=f"member:{org.slug}")
    assert verified.organisation == "an individual"
    activated = Entry.objects.get(event="compact.activated", identifier=compact.reference)
    assert activated.organisation == (
        "Open Compute Cooperative, Nairobi Health Data Trust, an individual"
    )
    digest = re.search(rf'"party:{org.slug}":"([0-9a-f]{{64}})"', activated.entry).group(1)
    commitment = Commitment.objects.get(digest=digest)
    assert (commitment.value, commitment.user) == (NAME, user)
    report = Entry.objects.get(event="progress_report.filed")
    assert report.organisation == "an individual"
    # every commitment of the name belongs to the person's account
    assert set(Commitment.objects.filter(value=NAME).values_list("user", flat=True)) == {user.pk}
    log_verified(client)


def test_the_helper_gives_organisations_their_name_and_a_prefix_on_request(cast):
    fields = organisation_event_fields(cast.provider, prefix="membership")
    assert fields == {
        "identifier": f"membership:{cast.provider.slug}",
        "url": cast.provider.get_absolute_url(),
        "organisation": "Open Compute Cooperative",
        "commitments": {},
    }
    user, org = person()
    mine = organisation_event_fields(org, prefix="membership", commitment_key="member")
    assert mine["identifier"] == f"membership:{org.slug}"
    assert mine["organisation"] == "an individual"
    assert Commitment.objects.get(digest=mine["commitments"]["member"]).user == user
    registry_append([Event(event="x.y", digest="ab" * 32, **mine)])  # splats into an Event


def test_becoming_an_individual_gives_a_random_slug(cast):
    org = services.organisation_update(
        user=cast.outsider, organisation=cast.outsider_org, kind="individual"
    )
    assert INDIVIDUAL_SLUG.match(org.slug)


def legacy_individual(cast) -> tuple:
    """An individual as the platform made them before: a slug from the name, and entries that
    name them in plain text."""
    user = member_make(EMAIL)
    org = Organisation.objects.create(
        slug=OLD_SLUG, name=NAME, kind="individual", country=Country.objects.get(iso3="KEN")
    )
    org.memberships.create(user=user, role="owner")
    entries = registry_append(
        [
            Event(
                event="organisation.verified",
                identifier=f"organisation:{OLD_SLUG}",
                url=f"/compacts/organisations/{OLD_SLUG}/",
                digest="cd" * 32,
                organisation=NAME,
                country="KEN",
            ),
            Event(
                event="compact.activated",
                identifier="compact-legacy",
                url="/compacts/compact-legacy/",
                digest="ce" * 32,
                organisation=f"Open Compute Cooperative, {NAME}",
            ),
        ]
    )
    return user, org, entries


def test_the_migration_gives_random_slugs_and_withholds_what_named_a_person(cast, client):
    user, org, legacy = legacy_individual(cast)
    registry_append([Event(event="compact.amended", identifier="c", url="/c/", digest="0" * 64)])
    before = head_of(client)
    migration = import_module("compacts.migrations.0007_individuals_out_of_the_log")
    migration.individuals_out_of_the_log(apps, None)
    org.refresh_from_db()
    assert INDIVIDUAL_SLUG.match(org.slug)
    assert named_anywhere(NAME, OLD_SLUG) == []
    for entry in legacy:
        stored = Entry.objects.get(leaf_index=entry.leaf_index)
        assert stored.withheld
        assert stored.leaf_hash == entry.leaf_hash
        assert Entry.objects.get(identifier=f"leaf:{entry.leaf_index}").digest == entry.leaf_hash
        assert inclusion_holds(client, entry.leaf_index, entry.leaf_hash)
    assert extends(client, before)
    said = log_verified(client)
    assert any("2 entries withheld" in line for line in said)
    # run again, it finds nothing more to do
    size = Entry.objects.count()
    migration.individuals_out_of_the_log(apps, None)
    assert Entry.objects.count() == size


def test_the_registry_migration_links_filers_to_their_commitments(cast):
    user = member_make(EMAIL)
    concern = concern_file(
        user=user,
        target="indicator_value",
        country="KEN",
        indicator="fsi_total",
        category="data_error",
        description="The source says otherwise.",
        evidence=[],
    )
    Commitment.objects.filter(digest=concern.filer_commitment).update(user=None)  # as before
    migration = import_module("registry.migrations.0010_withheld_entries_and_commitment_subjects")
    migration.link_filers(apps, None)
    assert Commitment.objects.get(digest=concern.filer_commitment).user == user


# --- The doors to erasure --------------------------------------------------------------


@pytest.fixture
def member(cast):
    """A person with everything erasure must reach: an individual organisation made before
    (legacy entries naming them), a verified one made now (commitments), a concern, a
    compact they signed, an API token."""
    user, legacy_org, legacy = legacy_individual(cast)
    user.first_name, user.last_name = "Amina", "Diallo"
    user.save()
    org = services.organisation_create(
        user=user, name=NAME, kind="individual", country=Country.objects.get(iso3="KEN")
    )
    services.organisation_verify(user=cast.editor, organisation=org)
    compact, _ = active_with(cast, org, user)
    concern = concern_file(
        user=user,
        target="compact",
        reference=compact.reference,
        category="compact_conduct",
        description="A party does not report.",
        evidence=[],
    )
    ApiToken.objects.create(
        user=user, name="script", prefix="p" * 16, digest="d" * 64, expires_at=timezone.now()
    )
    commitment_create("an old note", user=user)
    return {"user": user, "orgs": [legacy_org, org], "legacy": legacy, "concern": concern}


def erased_everywhere(member, client, before: dict) -> None:
    user = get_user_model().objects.get(pk=member["user"].pk)
    assert not user.is_active
    assert not user.has_usable_password()
    assert (user.email, user.first_name, user.last_name) == ("", "", "")
    assert EMAIL.split("@")[0] not in user.username
    assert not EmailAddress.objects.filter(user=user).exists()
    assert not ApiToken.objects.filter(user=user).exists()
    for org in member["orgs"]:
        org.refresh_from_db()
        assert (org.name, org.description, org.website) == ("Former member", "", "")
        assert INDIVIDUAL_SLUG.match(org.slug)
        assert "amina" not in org.name_key
        # their membership of the alliance ends with them, and what they wrote goes
        memberships = AllianceMembership.objects.filter(organisation=org)
        assert all(m.status in ("ended", "declined") and m.reason == "" for m in memberships)
    ended = Entry.objects.filter(event="membership.ended").last()
    assert ended is not None
    assert ended.organisation == "an individual"
    mine = Commitment.objects.filter(user=user)
    assert mine.count() >= 4  # two names at verification, one as a party, the concern's filer
    assert all(c.salt == c.value == "" and c.erased_at for c in mine)
    assert not Commitment.objects.filter(value__in=[NAME, EMAIL]).exists()
    assert named_anywhere(NAME, OLD_SLUG, EMAIL) == []
    Concern.objects.get(pk=member["concern"].pk)  # public records stay
    # the log only grew, and still verifies, old proofs included
    assert extends(client, before)
    log_verified(client)
    for entry in member["legacy"]:
        assert Entry.objects.get(leaf_index=entry.leaf_index).withheld
        assert inclusion_holds(client, entry.leaf_index, entry.leaf_hash)
    first = Entry.objects.get(leaf_index=0)
    assert inclusion_holds(client, 0, first.leaf_hash)


def test_the_command_erases_a_person(member, client):
    before = head_of(client)
    call_command("erase_person", EMAIL.upper(), reason="Erased at the member's request")
    erased_everywhere(member, client, before)
    withheld = Entry.objects.filter(withheld_at__isnull=False)
    assert set(withheld.values_list("withheld_reason", flat=True)) == {
        "Erased at the member's request"
    }


def test_the_command_refuses_an_unknown_address_or_no_reason(member):
    with pytest.raises(CommandError, match="No account"):
        call_command("erase_person", "nobody@example.org", reason="x")
    with pytest.raises(CommandError, match="Say why"):
        call_command("erase_person", EMAIL, reason="  ")
    assert get_user_model().objects.get(pk=member["user"].pk).is_active


def superuser_client(client):
    root = get_user_model().objects.create_superuser("root", "root@example.org", "x" * 12)
    client.force_login(root)
    return client


def test_the_admin_erases_a_member_after_asking_why(member, client):
    before = head_of(client)
    superuser_client(client)
    chosen = {"action": "erase_members", "_selected_action": [member["user"].pk]}
    confirm = client.post("/admin/auth/user/", chosen)
    assert confirm.status_code == 200
    assert "Erase at the member’s request" in confirm.content.decode()
    assert get_user_model().objects.get(pk=member["user"].pk).is_active  # nothing yet
    missing = client.post("/admin/auth/user/", {**chosen, "apply": "1", "reason": ""})
    assert "a reason is required" in missing.content.decode()
    assert get_user_model().objects.get(pk=member["user"].pk).is_active
    done = client.post("/admin/auth/user/", {**chosen, "apply": "1", "reason": "At request"})
    assert done.status_code == 302
    erased_everywhere(member, client, before)


def test_the_admin_erases_the_person_behind_an_individual_organisation(member, cast, client):
    before = head_of(client)
    superuser_client(client)
    chosen = {
        "action": "erase_individuals",
        # a company among the selection is not a person: it is left alone
        "_selected_action": [member["orgs"][1].pk, cast.provider.pk],
        "apply": "1",
        "reason": "At request",
    }
    assert client.post("/admin/compacts/organisation/", chosen).status_code == 302
    erased_everywhere(member, client, before)
    cast.provider.refresh_from_db()
    assert cast.provider.name == "Open Compute Cooperative"
    assert get_user_model().objects.get(pk=cast.provider_owner.pk).is_active


def test_editors_are_not_offered_erasure(member, cast, client):
    client.force_login(cast.editor)
    chosen = {"action": "erase_individuals", "_selected_action": [member["orgs"][1].pk]}
    client.post("/admin/compacts/organisation/", {**chosen, "apply": "1", "reason": "x"})
    assert get_user_model().objects.get(pk=member["user"].pk).is_active


def test_a_member_deletes_their_account_with_their_password(member, client):
    before = head_of(client)
    client.force_login(member["user"])
    page = client.get("/accounts/delete/")
    assert page.status_code == 200
    assert "Delete my account" in page.content.decode()
    assert 'href="/accounts/delete/"' in client.get("/accounts/tokens/").content.decode()
    wrong = client.post("/accounts/delete/", {"password": "not it"})
    assert wrong.status_code == 400
    assert "That is not your password." in wrong.content.decode()
    assert client.post("/accounts/delete/", {}).status_code == 400
    assert get_user_model().objects.get(pk=member["user"].pk).is_active
    done = client.post("/accounts/delete/", {"password": PASSWORD})
    assert done.status_code == 302
    assert done.url == "/"
    assert "_auth_user_id" not in client.session
    erased_everywhere(member, client, before)
    # the old password opens nothing
    assert not client.login(username=EMAIL, password=PASSWORD)


def test_the_delete_page_is_for_members_only(client):
    response = client.get("/accounts/delete/")
    assert response.status_code == 302
    assert "/accounts/login/" in response.url


def test_a_renamed_individual_is_still_found_by_the_slug_their_entries_hold(cast, client):
    """Renamed since their entries were written: the slug made from the old name, still
    stored, finds the entries that spell it."""
    user, org, legacy = legacy_individual(cast)
    Organisation.objects.filter(pk=org.pk).update(name="Amina Sow")
    call_command("erase_person", EMAIL, reason="At request")
    assert Entry.objects.get(leaf_index=legacy[0].leaf_index).withheld
    assert named_anywhere(OLD_SLUG) == []
    log_verified(client)
