"""The compacts API end to end: organisations, listings, suggestions and a compact's whole life,
through HTTP only (the suggestions are recomputed by calling the job's function)."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from compacts.models import Compact, Membership, Need, Offer, Organisation, Outcome, Signature
from compacts.suggestions import suggestions_recompute
from registry.models import Entry
from tests.compacts.conftest import compact_ready, member_make

SAFEGUARDS = {
    "data_steward": "Nairobi Health Data Trust holds the recordings for the patients.",
    "licensing_terms": "Models under Apache-2.0; data stays under the trust's licence.",
    "data_residency": "Recordings never leave Kenya.",
    "misuse_prevention": "No use for surveillance or insurance pricing.",
    "exit_and_redress": "Either party may exit on 90 days' notice.",
}
OFFER = {
    "title": "A100 GPU-hours for health models",
    "description": "Monthly GPU time on our cluster.",
    "kind": "compute",
    "amount": "5000",
    "unit": "GPU-hours per month",
    "licence": "open_permissive",
    "domains": ["health"],
    "languages": ["sw", "en"],
    "lacks": ["local_data"],
}
NEED = {
    "title": "Compute for a Swahili clinical speech model",
    "description": "We hold 2,000 hours of consented clinical speech.",
    "country": "ken",
    "wants": ["compute"],
    "licences": ["open_permissive", "open_copyleft"],
    "domains": ["health", "language"],
    "languages": ["sw"],
    "brings": ["local_data"],
    "brings_detail": "2,000 hours of consented clinical speech",
}


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def ok(response, code: int = 200) -> dict:
    assert response.status_code == code, response.content
    return response.json() if response.content else {}


def test_an_organisation_is_created_verified_edited_and_grows(cast):
    founder = member_make("founder@new.example")
    founder_api = client_for(founder)
    body = ok(
        founder_api.post(
            "/api/v1/organisations/",
            {"name": "Lagos Language Lab", "kind": "research", "country": "nga"},
            format="json",
        ),
        201,
    )
    assert body == {
        "slug": "lagos-language-lab",
        "name": "Lagos Language Lab",
        "kind": "research",
        "country": "NGA",
        "website": "",
        "description": "",
        "verified": False,
        "verified_at": None,
    }
    url = "/api/v1/organisations/lagos-language-lab/"
    assert Membership.objects.get(user=founder).role == "owner"

    body = ok(client_for(cast.editor).post(url + "verify/"))
    assert body["verified"] is True
    assert body["verified_at"]
    body = ok(founder_api.patch(url, {"website": "https://lab.example"}, format="json"))
    assert body["website"] == "https://lab.example"
    assert ok(founder_api.get(url))["website"] == "https://lab.example"
    # verified, but not a member of the alliance: the public does not read it
    assert client_for().get(url).status_code == 404

    invited = ok(
        founder_api.post(url + "invitations/", {"email": "Ngozi@Lab.example"}, format="json"), 201
    )
    assert (invited["email"], invited["role"]) == ("ngozi@lab.example", "member")
    members = ok(founder_api.get(url + "members/"))
    assert [(m["email"], m["role"]) for m in members] == [("founder@new.example", "owner")]
    # the last owner cannot go, and says so
    response = founder_api.delete(url + f"members/{members[0]['id']}/")
    assert response.status_code == 409
    assert response.json()["message"] == "An organisation keeps at least one owner."


def test_an_unverified_email_cannot_create_an_organisation(cast):
    newcomer = member_make("new@unverified.example", verified=False)
    response = client_for(newcomer).post(
        "/api/v1/organisations/", {"name": "X", "kind": "research", "country": "NGA"}
    )
    assert response.status_code == 409
    assert response.json()["message"] == "Verify your e-mail address first."
    assert not Organisation.objects.filter(name="X").exists()


def _publish_offer_and_need(cast) -> tuple[dict, dict]:
    provider_member = client_for(cast.provider_member)
    offer = ok(
        provider_member.post(
            "/api/v1/offers/", {**OFFER, "organisation": cast.provider.slug}, format="json"
        ),
        201,
    )
    assert (offer["status"], offer["organisation"]) == ("draft", cast.provider.slug)
    assert client_for().get(f"/api/v1/offers/{offer['id']}/").status_code == 404  # a draft
    offer = ok(client_for(cast.provider_owner).post(f"/api/v1/offers/{offer['id']}/publish/"))
    need = ok(
        client_for(cast.steward_member).post(
            "/api/v1/needs/", {**NEED, "organisation": cast.steward.slug}, format="json"
        ),
        201,
    )
    assert need["country"] == "KEN"
    need = ok(client_for(cast.steward_owner).post(f"/api/v1/needs/{need['id']}/publish/"))
    assert offer["status"] == need["status"] == "published"
    return offer, need


def test_from_listings_to_an_active_compact(cast):
    for org in (cast.provider, cast.steward):
        ok(client_for(cast.editor).post(f"/api/v1/organisations/{org.slug}/verify/"))
    offer, need = _publish_offer_and_need(cast)
    assert client_for().get(f"/api/v1/offers/{offer['id']}/").json()["title"] == OFFER["title"]
    suggestions_recompute()

    listed = ok(client_for(cast.steward_member).get("/api/v1/suggestions/"))
    suggestion = next(s for s in listed["results"] if s["offer"]["id"] == offer["id"])
    assert suggestion["need"] == {
        "id": need["id"],
        "title": NEED["title"],
        "organisation": cast.steward.slug,
        "organisation_name": cast.steward.name,
    }
    assert 0 < suggestion["score"] <= 1
    assert set(suggestion["parts"]) >= {"complementarity", "domain", "mutual_aid"}
    assert any("compute" in reason for reason in suggestion["reasons"])

    steward_member = client_for(cast.steward_member)
    compact = ok(steward_member.post(f"/api/v1/suggestions/{suggestion['id']}/start-compact/"), 201)
    url = f"/api/v1/compacts/{compact['id']}/"
    assert compact["status"] == "draft"
    assert compact["reference"] == f"C-{compact['id']}@v1"
    assert {(p["organisation"], p["role"]) for p in compact["parties"]} == {
        (cast.provider.slug, "provider"),
        (cast.steward.slug, "data_steward"),
    }
    assert {r["kind"] for r in compact["resources"]} == {"compute", "dataset"}
    assert compact["countries"] == ["KEN"]

    compact = ok(steward_member.patch(url, {"safeguards": SAFEGUARDS}, format="json"))
    assert compact["safeguards"] == SAFEGUARDS
    assert compact["revision"] == 2
    outcome = ok(
        steward_member.post(
            url + "outcomes/",
            {
                "indicator": "Word error rate (%)",
                "baseline": "38",
                "target": "15",
                "due": "2027-12-31",
            },
            format="json",
        ),
        201,
    )
    assert outcome["target"] == "15.0000"

    provider_owner, steward_owner = client_for(cast.provider_owner), client_for(cast.steward_owner)
    compact = ok(provider_owner.post(url + "propose/"))
    assert (compact["status"], compact["revision"]) == ("proposed", 3)
    compact = ok(provider_owner.post(url + "sign/", {"revision": 3}, format="json"))
    assert compact["status"] == "proposed"
    assert {p["organisation"]: p["signed"] for p in compact["parties"]} == {
        cast.provider.slug: True,
        cast.steward.slug: False,
    }
    compact = ok(steward_owner.post(url + "sign/", {"revision": 3}, format="json"))
    assert compact["status"] == "signed"
    compact = ok(steward_owner.post(url + "submit/"))
    assert compact["status"] == "under_review"
    assert client_for().get(url).status_code == 404  # not public before an editor approves
    compact = ok(client_for(cast.editor).post(url + "activate/"))
    assert compact["status"] == "active"
    assert compact["activated_at"]
    assert Entry.objects.filter(event="compact.activated", identifier=compact["reference"]).exists()

    public = ok(client_for().get("/api/v1/compacts/"))
    assert compact["id"] in [c["id"] for c in public["results"]]
    body = client_for().get(url)
    history = [
        (t["action"], t["from_status"], t["to_status"], t["actor"])
        for t in body.json()["transitions"]
    ]
    assert history == [
        ("create", "draft", "draft", cast.steward.name),
        ("propose", "draft", "proposed", cast.provider.name),
        ("sign", "proposed", "proposed", cast.provider.name),
        ("sign", "proposed", "signed", cast.steward.name),
        ("submit", "signed", "under_review", cast.steward.name),
        ("activate", "under_review", "active", "editor"),
    ]
    people = (cast.provider_owner, cast.steward_owner, cast.steward_member, cast.editor)
    assert not any(p.email.encode() in body.content for p in people)  # nobody's address


def active_compact(cast, *, verify: bool = True) -> Compact:
    """A compact taken through propose, both signatures, submit and approval over HTTP."""
    compact = compact_ready(cast, verified=verify)
    url = f"/api/v1/compacts/{compact.pk}/"
    provider_owner, steward_owner = client_for(cast.provider_owner), client_for(cast.steward_owner)
    ok(provider_owner.post(url + "propose/"))
    revision = {"revision": Compact.objects.get(pk=compact.pk).revision}
    ok(provider_owner.post(url + "sign/", revision))
    ok(steward_owner.post(url + "sign/", revision))
    ok(steward_owner.post(url + "submit/"))
    assert ok(client_for(cast.editor).post(url + "activate/"))["status"] == "active"
    return compact


def test_progress_reports_are_filed_and_confirmed(cast):
    compact = active_compact(cast)
    url = f"/api/v1/compacts/{compact.pk}/"
    provider_owner, steward_owner = client_for(cast.provider_owner), client_for(cast.steward_owner)
    outcome = compact.outcomes.get()
    steward = compact.parties.get(organisation=cast.steward)
    provider = compact.parties.get(organisation=cast.provider)

    report = ok(
        client_for(cast.steward_member).post(
            url + "reports/",
            {
                "party": steward.pk,
                "period_end": timezone.localdate().isoformat(),
                "summary": "400 hours transcribed.",
                "values": {str(outcome.pk): "31.5"},
            },
            format="json",
        ),
        201,
    )
    assert report["values"] == [{"outcome": outcome.pk, "value": "31.5000"}]
    assert report["verified"] is False
    assert report["confirmations"] == []
    confirm = url + f"reports/{report['id']}/confirm/"
    ok(steward_owner.post(confirm, {"party": steward.pk}, format="json"))
    report = ok(provider_owner.post(confirm, {"party": provider.pk}, format="json"))
    assert report["verified"] is True
    assert {c["organisation"] for c in report["confirmations"]} == {
        cast.steward.name,
        cast.provider.name,
    }
    again = provider_owner.post(confirm, {"party": provider.pk}, format="json")
    assert again.status_code == 409
    assert again.json()["message"] == "This party already confirmed the report."
    shown = ok(client_for().get(url))["reports"]
    assert [(r["id"], r["verified"]) for r in shown] == [(report["id"], True)]


def test_an_amendment_is_the_next_version(cast):
    compact = active_compact(cast)
    url = f"/api/v1/compacts/{compact.pk}/"
    owners = client_for(cast.provider_owner), client_for(cast.steward_owner)
    amended = ok(owners[1].post(url + "amend/", {"reason": "More GPU-hours."}, format="json"), 201)
    assert (amended["lineage"], amended["version"], amended["amends"]) == (
        compact.pk,
        2,
        compact.pk,
    )
    assert amended["reference"] == f"C-{compact.pk}@v2"
    assert amended["status"] == "draft"
    assert amended["transitions"][-1]["reason"] == "More GPU-hours."
    no_reason = owners[1].post(url + "amend/")
    assert no_reason.status_code == 400
    assert no_reason.json()["fields"] == {"reason": ["Say why the compact is amended."]}


def test_signing_names_the_revision_read(cast):
    compact = compact_ready(cast)
    url = f"/api/v1/compacts/{compact.pk}/"
    ok(client_for(cast.provider_owner).post(url + "propose/"))
    response = client_for(cast.provider_owner).post(url + "sign/")
    assert response.status_code == 400
    assert response.json()["fields"] == {"revision": ["This field is required."]}
    assert not Signature.objects.filter(compact=compact).exists()


def test_signing_a_revision_that_changed_since_is_a_409(cast):
    compact = compact_ready(cast)
    url = f"/api/v1/compacts/{compact.pk}/"
    ok(client_for(cast.provider_owner).post(url + "propose/"))
    seen = Compact.objects.get(pk=compact.pk).revision
    ok(client_for(cast.steward_member).patch(url, {"summary": "Changed."}, format="json"))
    response = client_for(cast.provider_owner).post(
        url + "sign/", {"revision": seen}, format="json"
    )
    assert response.status_code == 409
    assert response.json() == {
        "code": "stale",
        "message": f"The compact changed since you read it (revision {seen}, now {seen + 1}): "
        "read it again before signing.",
        "fields": {},
    }
    assert not Signature.objects.filter(compact=compact).exists()


def test_lifecycle_refusals_say_why(cast):
    compact = compact_ready(cast)
    url = f"/api/v1/compacts/{compact.pk}/"
    response = client_for(cast.provider_owner).post(url + "submit/")
    assert response.status_code == 409
    assert response.json()["message"] == "A draft compact cannot submit: only from signed."
    response = client_for(cast.provider_member).post(url + "propose/")
    assert response.status_code == 403
    assert response.json()["message"] == "Only an owner of a party to this compact can do this."
    response = client_for(cast.provider_owner).post(url + "withdraw/", {"reason": " "})
    assert response.status_code == 400
    assert response.json()["fields"] == {
        "reason": ["Say why: a reason is required to withdraw a compact."]
    }
    assert Compact.objects.get(pk=compact.pk).status == "draft"


# filters -------------------------------------------------------------------------------------


def _ids(response) -> set[int]:
    return {row["id"] for row in ok(response)["results"]}


def test_listing_filters(cast):
    offer, need = _publish_offer_and_need(cast)
    api = client_for(cast.provider_member)
    draft = ok(
        api.post(
            "/api/v1/offers/",
            {
                **OFFER,
                "organisation": cast.provider.slug,
                "kind": "model",
                "model_name": "Swahili ASR 1B",
                "domains": ["education"],
                "languages": ["fr"],
            },
            format="json",
        ),
        201,
    )
    cases = [
        ({"kind": "compute"}, {offer["id"]}),
        ({"kind": "model"}, {draft["id"]}),
        ({"status": "draft"}, {draft["id"]}),
        ({"domain": "health"}, {offer["id"]}),
        ({"language": "fr"}, {draft["id"]}),
        ({"organisation": cast.provider.slug}, {offer["id"], draft["id"]}),
        ({"organisation": cast.steward.slug}, set()),
    ]
    for params, expected in cases:
        found = _ids(api.get("/api/v1/offers/", {**params, "limit": 500})) & {
            offer["id"],
            draft["id"],
        }
        assert found == expected, params
    # anonymous visitors see published offers only, whatever they filter on
    assert _ids(client_for().get("/api/v1/offers/", {"status": "draft"})) == set()
    for params, expected in (({"country": "KEN"}, {need["id"]}), ({"country": "DEU"}, set())):
        assert _ids(client_for().get("/api/v1/needs/", params)) & {need["id"]} == expected


def test_compact_filters(cast):
    compact = compact_ready(cast)
    api = client_for(cast.provider_member)
    cases = [
        ({"domain": "health"}, True),
        ({"domain": "climate"}, False),
        ({"country": "ken"}, True),
        ({"country": "DEU"}, False),
        ({"status": "draft"}, True),
        ({"status": "active"}, False),
        ({"resource_kind": "compute"}, True),
        ({"resource_kind": "model"}, False),
    ]
    for params, listed in cases:
        assert (compact.pk in _ids(api.get("/api/v1/compacts/", params))) is listed, params


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/api/v1/offers/", {"domain": "space"}, "domain"),
        ("/api/v1/offers/", {"kind": "gold"}, "kind"),
        ("/api/v1/needs/", {"status": "lost"}, "status"),
        ("/api/v1/compacts/", {"status": "maybe"}, "status"),
        ("/api/v1/compacts/", {"resource_kind": "gold"}, "resource_kind"),
        ("/api/v1/organisations/", {"verified": "maybe"}, "verified"),
        ("/api/v1/compacts/", {"ordering": "secret"}, "ordering"),
    ],
)
def test_a_malformed_filter_is_a_400_naming_it(cast, path, params, field):
    response = client_for().get(path, params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert list(body["fields"]) == [field]


def test_verified_members_are_public_and_filterable(cast):
    for org in (cast.provider, cast.steward):
        ok(client_for(cast.editor).post(f"/api/v1/organisations/{org.slug}/verify/"))

    def slugs(params: dict, user=None) -> set[str]:
        found = ok(client_for(user).get("/api/v1/organisations/", params))["results"]
        return {o["slug"] for o in found}

    # the third member is not verified yet: the public does not read it
    assert slugs({}) == {cast.provider.slug, cast.steward.slug}
    assert slugs({"country": "deu"}) == {cast.provider.slug}
    assert slugs({"kind": "public"}) == {cast.steward.slug}
    assert slugs({"kind": "for_profit"}) == set()
    # editors read every organisation
    assert slugs({"verified": "false"}, cast.editor) == {cast.outsider_org.slug}
    assert slugs({"kind": "for_profit"}, cast.editor) == {cast.outsider_org.slug}


# bad input: a 400 that says what is wrong, and nothing changes -------------------------------


def _offer_post(cast, **changes):
    body = {**OFFER, "organisation": cast.provider.slug, **changes}
    return client_for(cast.provider_member).post("/api/v1/offers/", body, format="json")


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"domains": ["space"]}, {"domains": ['"space" is not a valid choice.']}),
        (
            {"organisation": "no-such-org"},
            {"organisation": ["Object with slug=no-such-org does not exist."]},
        ),
        ({"hosted_in": "XXX"}, {"hosted_in": ["Object with iso3=XXX does not exist."]}),
        ({"amount": "-1"}, {"amount": ["Ensure this value is greater than or equal to 0."]}),
        ({"amount": None}, {"amount": ["Compute needs an amount and its unit."]}),
        ({"colour": "blue"}, {"colour": ["Unknown field."]}),
        (
            {"available_from": "2026-05-01", "available_until": "2026-01-01"},
            {"available_until": ["Ends before it starts."]},
        ),
    ],
)
def test_bad_offers_are_refused_with_their_reason(cast, changes, fields):
    response = _offer_post(cast, **changes)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["fields"] == fields
    assert not Offer.objects.exists()


def test_a_need_must_say_what_it_wants(cast):
    body = {**NEED, "organisation": cast.steward.slug, "wants": []}
    response = client_for(cast.steward_member).post("/api/v1/needs/", body, format="json")
    assert response.status_code == 400
    assert response.json()["fields"] == {"wants": ["This list may not be empty."]}
    assert not Need.objects.exists()


def test_bad_compact_edits_are_refused(cast):
    compact = compact_ready(cast)
    url = f"/api/v1/compacts/{compact.pk}/"
    api = client_for(cast.provider_member)
    other_party = compact_ready(cast, verified=False).parties.first()
    refusals = [
        (api.patch(url, {}, format="json"), {"non_field_errors": ["Nothing to change."]}),
        (api.patch(url, {"status": "active"}, format="json"), {"status": ["Unknown field."]}),
        (
            api.patch(url, {"reporting_period_days": 3}, format="json"),
            {"reporting_period_days": ["Ensure this value is greater than or equal to 7."]},
        ),
        (
            api.patch(url, {"countries": ["ATL"]}, format="json"),
            {"countries": ["Object with iso3=ATL does not exist."]},
        ),
        (
            api.post(
                url + "outcomes/",
                {"indicator": "Flat", "baseline": "1", "target": "1", "due": "2027-01-01"},
                format="json",
            ),
            {"target": ["The target must differ from the baseline."]},
        ),
        (
            api.post(
                url + "resources/",
                {"party": other_party.pk, "kind": "compute", "description": "GPUs"},
                format="json",
            ),
            {"party": ["That party is not in this compact."]},
        ),
        (
            client_for(cast.provider_owner).post(
                url + "sign/", {"party": other_party.pk, "revision": compact.revision}
            ),
            {"party": ["That party is not in this compact."]},
        ),
    ]
    for response, fields in refusals:
        assert response.status_code == 400, response.content
        assert response.json()["fields"] == fields
    after = Compact.objects.get(pk=compact.pk)
    assert (after.revision, after.status) == (compact.revision, "draft")
    assert Outcome.objects.filter(compact=compact).count() == 1
    assert after.resources.count() == 2


def test_reports_with_foreign_outcomes_or_future_dates_are_refused(cast):
    compact = active_compact(cast)
    steward = compact.parties.get(organisation=cast.steward)
    url = f"/api/v1/compacts/{compact.pk}/reports/"
    api = client_for(cast.steward_member)
    base = {"party": steward.pk, "period_end": timezone.localdate().isoformat(), "summary": "Done."}
    for body, fields in (
        (
            {**base, "values": {"999999": "1"}},
            {"values": ["Values must be for this compact's outcomes."]},
        ),
        ({**base, "values": {"first": "1"}}, {"values": ["Keys are outcome ids."]}),
        (
            {**base, "period_end": "2999-01-01"},
            {"period_end": ["The period cannot end in the future."]},
        ),
    ):
        response = api.post(url, body, format="json")
        assert response.status_code == 400, response.content
        assert response.json()["fields"] == fields
    assert not compact.reports.exists()


def test_unknown_routes_and_ids_are_404_in_the_error_body(cast):
    for path in ("/api/v1/compacts/999999/", "/api/v1/compacts/abc/", "/api/v1/offers/999999/"):
        response = client_for(cast.provider_owner).get(path)
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


def test_the_compact_list_costs_the_same_for_one_compact_or_several(cast):
    def queries_for_list() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            body = ok(client_for(cast.provider_member).get("/api/v1/compacts/"))
        return len(queries), body["count"]

    active_compact(cast)
    queries_for_list()  # fills the process's caches (content types) once
    one = queries_for_list()
    for _ in range(2):
        active_compact(cast, verify=False)  # the organisations are verified already
    several = queries_for_list()
    assert (one[1], several[1]) == (1, 3)
    assert one[0] == several[0]


def test_the_schema_documents_the_lifecycle_endpoints(tmp_path):
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = target.read_text()
    for path in ("organisations/{slug}/verify/", "suggestions/{id}/start-compact/"):
        assert f"/api/v1/{path}:" in schema
    for action in ("propose", "sign", "submit", "activate", "return", "complete", "amend"):
        assert f"/api/v1/compacts/{{id}}/{action}/:" in schema
