"""The member directory through the Django test client: who is listed (accepted members, and
individuals who opted in) and who never is, the filters, a member's page, the members API, and
the organisations the public may read."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from compacts import services
from compacts.alliance import services as alliance
from compacts.alliance.models import AllianceMembership, Principles
from compacts.alliance.principles import principles_digest, principles_document
from compacts.models import Organisation
from countries.models import Country
from tests.compacts.conftest import member_make, principles_current
from tests.compacts.test_indicator import counting
from tests.compacts.test_pages import body, published_pair
from tests.queries import page_reads

pytestmark = pytest.mark.django_db

CAST = ["Elsewhere Ltd", "Nairobi Health Data Trust", "Open Compute Cooperative"]


def applied(email: str, name: str, *, kind="non_profit", iso3="BRA", listed=True, **extra):
    """A new organisation (or person) applying: not a member until an editor accepts."""
    user = member_make(email)
    return alliance.membership_apply(
        user=user,
        new_organisation={"name": name, "kind": kind, "country": Country.objects.get(iso3=iso3)},
        reason="To learn from others and share what we have.",
        ways=extra.pop("ways", ["compass"]),
        domains=extra.pop("domains", []),
        listed=listed,
        endorse=True,
        principles_version=principles_current().version,
    )


def accepted(cast, *args, verified=True, **kwargs) -> AllianceMembership:
    """An accepted member; an organisation also verified by the editor, unless told not."""
    membership = alliance.membership_accept(user=cast.editor, membership=applied(*args, **kwargs))
    if verified and membership.organisation.kind != "individual":
        services.organisation_verify(user=cast.editor, organisation=membership.organisation)
    return membership


@pytest.fixture
def vouched(cast):
    """The cast, its three member organisations verified by the editor."""
    for org in (cast.provider, cast.steward, cast.outsider_org):
        services.organisation_verify(user=cast.editor, organisation=org)
    return cast


def names(response) -> list[str]:
    return [m.organisation.name for m in response.context["page"].object_list]


def api_names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["name"] for row in response.json()["results"]]


@pytest.fixture
def crowd(vouched):
    """Besides the cast (three accepted, verified members): members and non-members of every
    kind."""
    cast = vouched
    unvouched = accepted(cast, "unvouched@example.org", "Unvouched Institute", verified=False)
    ind = accepted(
        cast,
        "amara@example.org",
        "Amara Diallo",
        kind="individual",
        iso3="SEN",
        ways=["oversight"],
        domains=["language"],
    )
    hidden = accepted(cast, "hidden@example.org", "Quiet Person", kind="individual", listed=False)
    pending = applied("pending@example.org", "Pending Institute")
    declined = applied("declined@example.org", "Declined Foundation")
    alliance.membership_decline(user=cast.editor, membership=declined, reason="Not a fit.")
    suspended = accepted(cast, "suspended@example.org", "Suspended Agency", kind="public")
    alliance.membership_suspend(user=cast.editor, membership=suspended, reason="Under review.")
    ended = accepted(cast, "ended@example.org", "Ended Cooperative")
    alliance.membership_end(user=ended.applicant, membership=ended)
    lapsed = accepted(cast, "lapsed@example.org", "Lapsed Society")
    AllianceMembership.objects.filter(pk=lapsed.pk).update(status="lapsed")
    # never applied at all
    services.organisation_create(
        user=member_make("loner@example.org"),
        name="Never Applied GmbH",
        kind="for_profit",
        country=Country.objects.get(iso3="DEU"),
    )
    return {
        "individual": ind,
        "hidden": hidden,
        "pending": pending,
        "suspended": suspended,
        "unvouched": unvouched,
    }


NOT_LISTED = [
    "Quiet Person",
    "Unvouched Institute",
    "Pending Institute",
    "Declined Foundation",
    "Suspended Agency",
    "Ended Cooperative",
    "Lapsed Society",
    "Never Applied GmbH",
]


# the directory -----------------------------------------------------------------------------


def test_the_directory_lists_accepted_members_and_opted_in_individuals_only(client, crowd):
    response = client.get("/members/")
    assert response.status_code == 200
    assert names(response) == ["Amara Diallo", *CAST]
    page = body(response)
    for name in NOT_LISTED:
        assert name not in page
    assert "4 members." in page


def test_an_accepted_organisation_is_listed_once_an_editor_verified_it(client, cast):
    # accepted, and free to publish, but no editor has vouched for who they are yet
    assert names(client.get("/members/")) == []
    assert client.get(f"/members/{cast.steward.slug}/").status_code == 404
    services.organisation_verify(user=cast.editor, organisation=cast.steward)
    page = body(client.get("/members/"))
    assert names(client.get("/members/")) == ["Nairobi Health Data Trust"]
    row = page.split("Nairobi Health Data Trust</a>")[1].split("</th>")[0]
    assert "✓ Verified" in row
    assert "Open Compute Cooperative" not in page
    assert client.get(f"/members/{cast.steward.slug}/").status_code == 200


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "nairobi"}, ["Nairobi Health Data Trust"]),
        ({"q": "senegal"}, ["Amara Diallo"]),  # the country's name
        ({"kind": "individual"}, ["Amara Diallo"]),
        ({"kind": "public"}, ["Nairobi Health Data Trust"]),
        ({"country": "FRA"}, ["Elsewhere Ltd"]),
        ({"country": "ken"}, ["Nairobi Health Data Trust"]),
        ({"region": "Africa"}, ["Amara Diallo", "Nairobi Health Data Trust"]),
        ({"region": "Europe"}, ["Elsewhere Ltd", "Open Compute Cooperative"]),
        ({"domain": "language"}, ["Amara Diallo"]),
        ({"way": "oversight"}, ["Amara Diallo"]),
        ({"way": "compacts"}, CAST),
        ({"region": "Africa", "way": "compacts"}, ["Nairobi Health Data Trust"]),
        ({"region": "Oceania"}, []),
    ],
)
def test_each_filter_narrows_the_directory(client, crowd, params, expected):
    response = client.get("/members/", params)
    assert response.status_code == 200
    assert names(response) == expected
    # the API filters the same way
    assert api_names(client.get("/api/v1/members/", params)) == expected


@pytest.mark.parametrize(
    "params", [{"kind": "alien"}, {"region": "Atlantis"}, {"way": "x"}, {"country": "KENYA"}]
)
def test_a_bad_filter_is_a_400_with_the_reason(client, cast, params):
    response = client.get("/members/", params)
    assert response.status_code == 400
    assert "Some filters are not valid" in body(response)
    assert client.get("/api/v1/members/", params).status_code == 400


def test_the_directory_pages_and_keeps_the_filters(client, cast, vouched):
    for n in range(26):
        accepted(cast, f"m{n}@example.org", f"Member {n:02d}", ways=["compacts"])
    first = client.get("/members/", {"way": "compacts"})
    assert len(first.context["page"].object_list) == 25
    assert "way=compacts&amp;page=2" in body(first)
    second = client.get("/members/", {"way": "compacts", "page": 2})
    assert len(second.context["page"].object_list) == 29 - 25


def test_the_directory_reads_a_fixed_number_of_queries(client, cast, vouched):
    def reads() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/members/").status_code == 200
        return len(page_reads(queries))

    few = reads()
    for n in range(6):
        accepted(cast, f"q{n}@example.org", f"Queried {n}", domains=["health"])
    # count, page, endorsements, current principles, and the session's
    assert reads() == few <= 6


# a member's page ---------------------------------------------------------------------------


def test_a_members_page_shows_who_they_are_and_their_endorsement(client, crowd):
    # a person's slug is random, so that their address does not spell their name
    response = client.get(f"/members/{crowd['individual'].organisation.slug}/")
    assert response.status_code == 200
    page = body(response)
    assert "Amara Diallo" in page
    assert "Individual" in page
    assert "Senegal" in page
    assert "Africa" in page
    assert "Endorsed the current principles (version 1)." in page
    assert "Help expand the methodology and join oversight" in page
    assert "Language" in page.split('id="domains"')[1]
    assert "No oversight role is recorded for Amara Diallo yet." in page


def test_a_member_behind_on_the_principles_is_told_which_version_to_endorse(client, cast, vouched):
    # a second version, as the editors' publication stores it
    text = [{"title": "Reciprocity", "text": "We give and receive on agreed terms."}]
    document = principles_document(2, text, "A shorter text.", 90)
    Principles.objects.create(
        version=2, principles=text, note="A shorter text.", digest=principles_digest(document)
    )
    page = body(client.get(f"/members/{cast.provider.slug}/"))
    assert "Endorsed version 1 on" in page
    assert "Has not yet endorsed version 2 of the principles." in page


def test_a_members_page_lists_published_offers_needs_and_public_compacts(
    client, cast, django_capture_on_commit_callbacks
):
    offer, need = published_pair(cast)
    compact = counting(cast, django_capture_on_commit_callbacks)  # verifies both parties
    services.organisation_verify(user=cast.editor, organisation=cast.outsider_org)
    provider = body(client.get(f"/members/{cast.provider.slug}/"))
    assert offer.title in provider
    assert need.title not in provider  # the steward's
    assert compact.get_absolute_url() in provider.split('id="compacts"')[1]
    assert "Provider" in provider.split('id="compacts"')[1]
    # it commits GPU-hours in an active compact whose progress every party confirmed
    counted = provider.split('id="counted"')[1].split("</ul>")[0]
    assert compact.get_absolute_url() in counted
    assert "Germany" in counted
    steward = body(client.get(f"/members/{cast.steward.slug}/"))
    assert need.title in steward
    assert "Data steward" in steward
    # a member with no compact
    elsewhere = body(client.get(f"/members/{cast.outsider_org.slug}/"))
    assert "No public compact yet." in elsewhere
    assert "No compact of theirs counts in the index yet." in elsewhere


def test_a_draft_compact_is_not_on_a_members_page(client, cast):
    from tests.compacts.conftest import compact_ready

    compact = compact_ready(cast)
    page = body(client.get(f"/members/{cast.provider.slug}/"))
    assert compact.title not in page
    assert "No public compact yet." in page


@pytest.mark.parametrize(
    "slug",
    [
        "quiet-person",
        "pending-institute",
        "declined-foundation",
        "suspended-agency",
        "ended-cooperative",
        "lapsed-society",
        "never-applied-gmbh",
        "no-such-member",
    ],
)
def test_anyone_not_listed_has_no_member_page(client, crowd, slug):
    assert client.get(f"/members/{slug}/").status_code == 404
    assert client.get(f"/api/v1/members/{slug}/").status_code == 404


def test_a_reinstated_member_is_listed_again(client, cast, crowd):
    assert "Suspended Agency" not in names(client.get("/members/"))
    alliance.membership_reinstate(
        user=cast.editor, membership=crowd["suspended"], reason="Resolved."
    )
    assert "Suspended Agency" in names(client.get("/members/"))
    assert client.get("/members/suspended-agency/").status_code == 200


# the members API ---------------------------------------------------------------------------


def test_the_members_api_lists_the_directorys_members(client, crowd):
    response = client.get("/api/v1/members/")
    assert api_names(response) == ["Amara Diallo", *CAST]
    amara = response.json()["results"][0]
    assert amara["slug"] == crowd["individual"].organisation.slug
    assert amara["kind"] == "individual"
    assert amara["country"] == "SEN"
    assert amara["region"] == "Africa"
    assert amara["ways"] == ["oversight"]
    assert amara["domains"] == ["language"]
    assert amara["verified"] is False
    assert amara["endorsement"]["version"] == 1
    assert amara["endorsement"]["current_version"] == 1
    assert amara["endorsement"]["is_current"] is True
    assert amara["url"].endswith(f"/members/{crowd['individual'].organisation.slug}/")


def test_the_members_api_detail_and_ordering(client, cast, vouched):
    response = client.get(f"/api/v1/members/{cast.steward.slug}/")
    assert response.status_code == 200
    assert response.json()["name"] == "Nairobi Health Data Trust"
    assert response.json()["ways"] == ["compacts"]
    newest = client.get("/api/v1/members/", {"ordering": "-member_since"})
    assert api_names(newest) == ["Elsewhere Ltd", "Nairobi Health Data Trust", CAST[2]]
    assert client.get("/api/v1/members/", {"ordering": "reason"}).status_code == 400
    assert client.get("/api/v1/members/", {"status": "applied"}).status_code == 400


# the organisations the public reads --------------------------------------------------------


def org_slugs(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["slug"] for row in response.json()["results"]}


def test_anonymous_readers_see_only_verified_members_in_the_organisations_api(client, crowd, cast):
    # the directory's: the cast's organisations and the person who chose to be listed
    listed = {cast.provider.slug, cast.steward.slug, cast.outsider_org.slug}
    listed.add(crowd["individual"].organisation.slug)
    assert org_slugs(client.get("/api/v1/organisations/")) == listed
    for membership in (crowd["pending"], crowd["hidden"]):  # the suspended one already is
        services.organisation_verify(user=cast.editor, organisation=membership.organisation)
    # verified but not (or no longer) a member, or a person who chose not to be listed: still
    # not public; nor an accepted organisation no editor has verified
    assert org_slugs(client.get("/api/v1/organisations/")) == listed
    assert client.get(f"/api/v1/organisations/{cast.steward.slug}/").status_code == 200
    hidden = crowd["hidden"].organisation.slug
    for slug in ("pending-institute", "suspended-agency", "unvouched-institute", hidden):
        assert client.get(f"/api/v1/organisations/{slug}/").status_code == 404
        assert client.get(f"/compacts/organisations/{slug}/").status_code == 404
    assert client.get(f"/compacts/organisations/{cast.steward.slug}/").status_code == 200


def test_a_registry_link_to_a_page_that_is_not_public_says_why_and_names_no_one(client, crowd):
    from registry.models import Entry

    # the log's entry of the person who chose not to be listed links to their organisation
    hidden = crowd["hidden"].organisation
    entry = Entry.objects.filter(event="membership.accepted", url__contains=hidden.slug).get()
    response = client.get(entry.url)
    assert response.status_code == 404
    page = body(response)
    assert "No public page here" in page
    assert "a person appears in them only as a commitment" in page
    assert "Quiet Person" not in page
    # and the page of the suspended organisation the log names
    assert "No public page here" in body(client.get("/compacts/organisations/suspended-agency/"))


def test_a_member_reads_their_own_organisation_and_an_editor_reads_all(client, cast):
    client.force_login(cast.provider_owner)
    services.organisation_verify(user=cast.editor, organisation=cast.steward)
    assert org_slugs(client.get("/api/v1/organisations/")) == {
        cast.provider.slug,
        cast.steward.slug,
    }
    assert client.get(f"/compacts/organisations/{cast.provider.slug}/").status_code == 200
    assert client.get(f"/compacts/organisations/{cast.outsider_org.slug}/").status_code == 404
    # an owner still edits their unverified organisation through the API
    response = client.patch(
        f"/api/v1/organisations/{cast.provider.slug}/",
        {"description": "GPU time for the commons."},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    pending = applied("pending@example.org", "Pending Institute")
    client.force_login(cast.editor)
    assert org_slugs(client.get("/api/v1/organisations/", {"limit": 500})) == set(
        Organisation.objects.values_list("slug", flat=True)
    )
    assert client.get(f"/compacts/organisations/{pending.organisation.slug}/").status_code == 200


def test_an_outsider_may_read_a_verified_member_but_not_change_it(client, cast):
    services.organisation_verify(user=cast.editor, organisation=cast.provider)
    client.force_login(cast.outsider)
    url = f"/api/v1/organisations/{cast.provider.slug}/"
    assert client.get(url).status_code == 200
    response = client.patch(url, {"description": "Mine now"}, content_type="application/json")
    assert response.status_code == 403
    cast.provider.refresh_from_db()
    assert cast.provider.description == ""


def test_public_pages_link_an_organisation_only_once_its_page_is_public(client, cast):
    offer, need = published_pair(cast)
    provider_page = f'href="/compacts/organisations/{cast.provider.slug}/"'
    for url in (offer.get_absolute_url(), "/compacts/offers/"):
        page = body(client.get(url))
        assert "Open Compute Cooperative" in page
        assert provider_page not in page  # it would answer 404
    services.organisation_verify(user=cast.editor, organisation=cast.provider)
    for url in (offer.get_absolute_url(), "/compacts/offers/"):
        assert provider_page in body(client.get(url))
    assert client.get(f"/compacts/organisations/{cast.provider.slug}/").status_code == 200


# oversight roles ---------------------------------------------------------------------------


def _role_form(org, **fields) -> dict:
    return {"organisation": org.pk, "kind": "reviewer", "since": "2026-11-02", **fields}


def test_editors_record_oversight_roles_that_members_pages_show(client, cast, vouched):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from compacts.alliance.models import OversightRole
    from registry.models import Witness

    pem = (
        Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    witness = Witness.objects.create(name="Nairobi monitor", public_key=pem.decode())
    client.force_login(cast.editor)
    add = "/admin/compacts/oversightrole/add/"
    # a witness names its key; only a member of the alliance takes a role
    refused = client.post(add, _role_form(cast.steward, kind="witness"))
    assert "A registry witness names its witness key." in body(refused)
    stranger = services.organisation_create(
        user=member_make("stranger@example.org"),
        name="Not Yet Joined",
        kind="research",
        country=Country.objects.get(iso3="KEN"),
    )
    refused = client.post(add, _role_form(stranger))
    assert refused.status_code == 200  # the form again, with its error
    assert not OversightRole.objects.exists()
    witnessed = client.post(add, _role_form(cast.steward, kind="witness", witness=witness.pk))
    assert witnessed.status_code == 302
    reviewer = client.post(add, _role_form(cast.steward, description="Concerns about data"))
    assert reviewer.status_code == 302
    client.logout()
    page = body(client.get(f"/members/{cast.steward.slug}/"))
    oversight = page.split('id="oversight"')[1].split("</ul>")[0]
    assert "Registry witness: witness key “Nairobi monitor”, 0 tree heads" in oversight
    assert "Reviewer: Concerns about data · since 2 November 2026" in oversight
    # nothing deletes a role: it ends, and stays in the member's history
    client.force_login(cast.editor)
    role = OversightRole.objects.get(kind="reviewer")
    assert client.post(f"/admin/compacts/oversightrole/{role.pk}/delete/").status_code == 403
