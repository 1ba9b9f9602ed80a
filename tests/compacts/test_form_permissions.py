"""Who may post which form: every form of the compacts pages (and the editors' admin actions)
against every kind of actor. The allowed ones succeed; everyone else is refused (403, or 404
for what they cannot even see; anonymous posts go to the login page) and the database is
exactly as it was."""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.utils import timezone

from compacts import services
from compacts.models import (
    Compact,
    Confirmation,
    Invitation,
    Membership,
    Need,
    Offer,
    Organisation,
    Party,
    Resource,
    Suggestion,
)
from registry.models import Entry
from tests.compacts.conftest import compact_ready, member_make, mistaken_organisation
from tests.compacts.test_pages import need_make, offer_make, published_pair

pytestmark = pytest.mark.django_db

LOGIN, ADMIN_LOGIN, OK = "login", "admin login", "ok"
ACTORS = ("anonymous", "outsider", "member", "owner", "editor")

# what each actor gets, in the order of ACTORS: "member" and "owner" belong to the
# organisation whose offer, need or compact it is (the provider of the cast)
MATRIX = {
    "organisation edit": (LOGIN, 404, 403, OK, 403),
    "organisation delete": (LOGIN, 404, 403, OK, 403),
    "invite a member": (LOGIN, 404, 403, OK, 403),
    "remove a member": (LOGIN, 404, 403, OK, 403),
    "verify (admin)": (ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, OK),
    "offer create": (LOGIN, 404, OK, OK, 403),
    "offer edit": (LOGIN, 404, OK, OK, 404),
    "offer publish": (LOGIN, 404, 403, OK, 404),
    "offer withdraw": (LOGIN, 403, 403, OK, 403),
    "need create": (LOGIN, 404, OK, OK, 403),
    "need edit": (LOGIN, 404, OK, OK, 404),
    "need publish": (LOGIN, 404, 403, OK, 404),
    "need withdraw": (LOGIN, 403, 403, OK, 403),
    "start from a suggestion": (LOGIN, 403, OK, OK, 403),
    "compact create": (LOGIN, 404, OK, OK, 403),
    "compact edit": (LOGIN, 404, OK, OK, 404),
    "party add": (LOGIN, 404, OK, OK, 404),
    "party remove": (LOGIN, 404, 403, 403, 404),  # another party: its own owner's to withdraw
    "party withdraw": (LOGIN, 404, 403, OK, 404),
    "party withdraw leaving one": (LOGIN, 404, 403, 409, 403),
    "resource add": (LOGIN, 404, OK, OK, 404),
    "resource add for another party": (LOGIN, 404, 400, 400, 404),
    "milestone add": (LOGIN, 404, OK, OK, 404),
    "outcome add": (LOGIN, 404, OK, OK, 404),
    "propose": (LOGIN, 404, 403, OK, 404),
    "sign": (LOGIN, 404, 403, OK, 403),
    "submit": (LOGIN, 404, 403, OK, 403),
    "approve on the page": (LOGIN, 404, 403, 403, OK),
    "return on the page": (LOGIN, 404, 403, 403, OK),
    "approve (admin)": (ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, OK),
    "withdraw a compact": (LOGIN, 404, 403, OK, 404),
    "complete": (LOGIN, 403, 403, OK, 403),
    "terminate": (LOGIN, 403, 403, OK, OK),
    "amend": (LOGIN, 403, 403, OK, 403),
    "report file": (LOGIN, 403, OK, OK, 403),
    "report confirm": (LOGIN, 403, 403, OK, 403),
    "milestone reached": (LOGIN, 403, OK, OK, 403),
    "report confirm after the end": (LOGIN, 403, 403, 409, 403),
    "milestone reached after the end": (LOGIN, 403, 409, 409, 403),
}


@dataclass
class Case:
    url: str
    data: dict
    done: Callable[[], bool]  # what the allowed actors' post achieved


def compact_in(cast, status: str, *, milestone: bool = False) -> Compact:
    """The cast's compact, taken through the lifecycle up to `status`."""
    compact = compact_ready(cast)
    if milestone:
        services.compact_part_save(
            user=cast.provider_owner,
            compact=compact,
            part="milestone",
            title="Pilot clinic live",
            due=timezone.localdate(),
        )
        compact.refresh_from_db()
    steps = [
        ("proposed", cast.provider_owner, "propose"),
        ("signed", cast.provider_owner, "sign"),
        ("signed", cast.steward_owner, "sign"),
        ("under_review", cast.steward_owner, "submit"),
        ("active", cast.editor, "activate"),
    ]
    order = ["draft", "proposed", "signed", "under_review", "active"]
    for reached, user, action in steps:
        if order.index(reached) > order.index(status):
            break
        compact = services.compact_transition(user=user, compact=compact, action=action)
    assert compact.status == status
    return compact


def _status(compact: Compact) -> str:
    return Compact.objects.get(pk=compact.pk).status


def _org(cast, name: str) -> Case:
    p = cast.provider
    if name == "organisation edit":
        form = {"name": "Renamed Cooperative", "kind": "non_profit", "country": p.country_id}
        return Case(
            f"/compacts/organisations/{p.slug}/edit/",
            form,
            lambda: Organisation.objects.get(pk=p.pk).name == "Renamed Cooperative",
        )
    if name == "organisation delete":
        mistake = mistaken_organisation(cast)
        return Case(
            f"/compacts/organisations/{mistake.slug}/delete/",
            {},
            lambda: not Organisation.objects.filter(pk=mistake.pk).exists(),
        )
    if name == "invite a member":
        return Case(
            f"/compacts/organisations/{p.slug}/members/",
            {"email": "new@example.org", "role": "member"},
            lambda: Invitation.objects.filter(email="new@example.org").exists(),
        )
    carol = member_make("carol@provider.example")
    invitation = services.invitation_create(
        user=cast.provider_owner, organisation=p, email=carol.email, role="member"
    )
    membership = services.invitation_accept(user=carol, invitation=invitation)
    return Case(
        f"/compacts/organisations/{p.slug}/members/{membership.pk}/remove/",
        {},
        lambda: not Membership.objects.filter(pk=membership.pk).exists(),
    )


def _listing(cast, name: str) -> Case:
    kind, act = name.split()
    model, make = (Offer, offer_make) if kind == "offer" else (Need, need_make)
    if act == "create":
        org = cast.provider
        form = {"title": "Made here", "domains": ["health"], "languages": "sw"}
        if kind == "offer":
            form |= {"kind": "know_how", "licence": "open_permissive"}
        else:
            form |= {"country": org.country_id, "wants": ["compute"], "licences": ["reciprocal"]}
        return Case(
            f"/compacts/organisations/{org.slug}/new-{kind}/",
            form,
            lambda: model.objects.filter(title="Made here", organisation=org).exists(),
        )
    if kind == "offer":
        listing = make(cast)
    else:  # the matrix's member and owner are the provider's: the need is theirs too
        listing = services.need_save(
            user=cast.provider_owner,
            organisation=cast.provider,
            title="Local governance help",
            country=cast.provider.country,
            domains=["health"],
            languages=["de"],
            wants=["know_how"],
            licences=["open_permissive"],
        )
    if act == "withdraw":
        listing = services.listing_publish(user=cast.provider_owner, listing=listing)
    base = f"/compacts/{kind}s/{listing.pk}/"
    if act == "edit":
        form = {**_listing_form(kind, listing), "title": "Edited title"}
        return Case(
            f"{base}edit/", form, lambda: model.objects.get(pk=listing.pk).title == "Edited title"
        )
    target = {"publish": "published", "withdraw": "withdrawn"}[act]
    return Case(f"{base}{act}/", {}, lambda: model.objects.get(pk=listing.pk).status == target)


def _listing_form(kind: str, listing) -> dict:
    form = {"title": listing.title, "domains": listing.domains, "languages": listing.languages}
    if kind == "offer":
        form |= {"kind": listing.kind, "licence": listing.licence}
        form |= {"amount": listing.amount or "", "unit": listing.unit}
    else:
        form |= {"country": listing.country_id, "wants": listing.wants}
        form |= {"licences": listing.licences}
    return form


def _suggestion(cast) -> Case:
    published_pair(cast)
    suggestion = Suggestion.objects.get()
    return Case(
        f"/compacts/suggestions/{suggestion.pk}/start/",
        {},
        lambda: Compact.objects.filter(suggestion_offer=suggestion.offer).exists(),
    )


def _content(cast, name: str) -> Case:
    if name == "compact create":
        return Case(
            f"/compacts/organisations/{cast.provider.slug}/new-compact/",
            {"role": "provider", "title": "A new draft"},
            lambda: Compact.objects.filter(title="A new draft").exists(),
        )
    compact = compact_ready(cast)
    url = f"/compacts/{compact.pk}/"
    if name == "compact edit":
        form = {"title": "Edited terms", "reporting_period_days": 60, "countries": "KEN"}
        return Case(
            f"{url}edit/", form, lambda: Compact.objects.get(pk=compact.pk).title == form["title"]
        )
    if name == "party add":
        form = {"party-organisation": cast.outsider_org.pk, "party-role": "funder"}
        return Case(
            f"{url}parties/add/",
            form,
            lambda: compact.parties.filter(organisation=cast.outsider_org).exists(),
        )
    if name.startswith("party "):
        leaving = cast.steward if name == "party remove" else cast.provider
        if name == "party withdraw leaving one":
            compact = services.compact_transition(
                user=cast.provider_owner, compact=compact, action="propose"
            )
        party = compact.parties.get(organisation=leaving)
        return Case(
            f"{url}parties/{party.pk}/remove/",
            {},
            lambda: not Party.objects.filter(pk=party.pk).exists(),
        )
    if name == "milestone add":
        form = {"milestone-title": "Pilot clinic", "milestone-due": "2027-06-30"}
        return Case(
            f"{url}milestone/add/",
            form,
            lambda: compact.milestones.filter(title="Pilot clinic").exists(),
        )
    if name.startswith("resource add"):
        theirs = name == "resource add for another party"
        party = compact.parties.get(organisation=cast.steward if theirs else cast.provider)
        form = {"resource-party": party.pk, "resource-kind": "know_how"}
        form |= {"resource-description": "Two MLOps engineers"}
        return Case(
            f"{url}resource/add/",
            form,
            lambda: Resource.objects.filter(description="Two MLOps engineers").exists(),
        )
    form = {"outcome-indicator": "Clinics served", "outcome-baseline": 0}
    form |= {"outcome-target": 40, "outcome-due": "2028-01-31"}
    return Case(
        f"{url}outcome/add/",
        form,
        lambda: compact.outcomes.filter(indicator="Clinics served").exists(),
    )


LIFECYCLE = {
    # row: (the compact's status before, action, form, status after)
    "propose": ("draft", "propose", {}, "proposed"),
    "submit": ("signed", "submit", {}, "under_review"),
    "approve on the page": ("under_review", "activate", {}, "active"),
    "return on the page": ("under_review", "return", {"reason": "Safeguards too vague."}, "draft"),
    "withdraw a compact": ("draft", "withdraw", {"reason": "No longer needed."}, "withdrawn"),
    "complete": ("active", "complete", {"reason": "Targets met."}, "completed"),
    "terminate": ("active", "terminate", {"reason": "Data misused."}, "terminated"),
}


def _lifecycle(cast, name: str) -> Case:
    if name == "sign":
        compact = compact_in(cast, "proposed")
        party = compact.parties.get(organisation=cast.provider)
        return Case(
            f"/compacts/{compact.pk}/act/sign/",
            {"party": party.pk, "revision": compact.revision},
            lambda: compact.signatures.filter(party=party).exists(),
        )
    if name == "amend":
        compact = compact_in(cast, "active")
        return Case(
            f"/compacts/{compact.pk}/act/amend/",
            {"reason": "More GPU-hours."},
            lambda: Compact.objects.filter(lineage=compact.lineage, version=2).exists(),
        )
    before, action, form, after = LIFECYCLE[name]
    compact = compact_in(cast, before)
    return Case(f"/compacts/{compact.pk}/act/{action}/", form, lambda: _status(compact) == after)


def _admin(cast, name: str) -> Case:
    if name == "verify (admin)":
        return Case(
            "/admin/compacts/organisation/",
            {"action": "verify_selected", "_selected_action": [cast.outsider_org.pk], "index": 0},
            lambda: Organisation.objects.get(pk=cast.outsider_org.pk).verified,
        )
    compact = compact_in(cast, "under_review")
    return Case(
        "/admin/compacts/compact/",
        {"action": "approve", "_selected_action": [compact.pk], "index": 0},
        lambda: _status(compact) == "active",
    )


def _report(cast, name: str) -> Case:
    compact = compact_in(cast, "active")
    ended = name.endswith("after the end")
    provider = compact.parties.get(organisation=cast.provider)
    if name == "report file":
        form = {"party": provider.pk, "period_end": timezone.localdate().isoformat()}
        form |= {"summary": "GPU-hours delivered."}
        return Case(f"/compacts/{compact.pk}/reports/new/", form, lambda: compact.reports.exists())
    report = services.report_file(
        user=cast.provider_member,  # a member files; the owners confirm
        compact=compact,
        party=provider,
        period_end=timezone.localdate(),
        summary="GPU-hours delivered.",
    )
    if ended:
        services.compact_transition(
            user=cast.editor, compact=compact, action="terminate", reason="Data misused."
        )
    return Case(
        f"/compacts/reports/{report.pk}/confirm/",
        {"party": provider.pk},
        lambda: Confirmation.objects.filter(report=report, party=provider).exists(),
    )


def _milestone(cast, name: str) -> Case:
    compact = compact_in(cast, "active", milestone=True)
    milestone = compact.milestones.get()
    if name.endswith("after the end"):
        services.compact_transition(
            user=cast.editor, compact=compact, action="terminate", reason="Data misused."
        )
    return Case(
        f"/compacts/{compact.pk}/milestones/{milestone.pk}/done/",
        {"done_on": timezone.localdate().isoformat()},
        lambda: compact.milestones.get().done_on is not None,
    )


def case_for(cast, name: str) -> Case:
    if name.startswith("milestone reached"):
        return _milestone(cast, name)
    if name in ("organisation edit", "organisation delete", "invite a member", "remove a member"):
        return _org(cast, name)
    if name.startswith(("offer ", "need ")):
        return _listing(cast, name)
    if name == "start from a suggestion":
        return _suggestion(cast)
    if name.endswith("(admin)"):
        return _admin(cast, name)
    if name.startswith("report"):
        return _report(cast, name)
    if name in ("compact create", "compact edit") or name.startswith(("party ", "resource add")):
        return _content(cast, name)
    if name.endswith(" add"):  # outcome, milestone
        return _content(cast, name)
    return _lifecycle(cast, name)


def fingerprint() -> dict:
    """Every row of the compacts app (through tables included) and the registry's size."""
    tables = apps.get_app_config("compacts").get_models(include_auto_created=True)
    rows = {m._meta.db_table: list(m.objects.order_by("pk").values()) for m in tables}
    return {**rows, "registry entries": Entry.objects.count()}


def actor(cast, who: str):
    return {
        "anonymous": None,
        "outsider": cast.outsider,
        "member": cast.provider_member,
        "owner": cast.provider_owner,
        "editor": cast.editor,
    }[who]


@pytest.mark.parametrize("who", ACTORS)
@pytest.mark.parametrize("name", list(MATRIX))
def test_every_form_against_every_actor(client, cast, name, who):
    case = case_for(cast, name)
    expected = MATRIX[name][ACTORS.index(who)]
    user = actor(cast, who)
    if user is not None:
        client.force_login(user)
    before = fingerprint()
    response = client.post(case.url, case.data)
    if expected == OK:
        assert response.status_code in (302, 303), response.content.decode()[:2000]
        assert not response.url.startswith(("/accounts/login/", "/admin/login/"))
        assert case.done()
        assert fingerprint() != before
        return
    if expected in (LOGIN, ADMIN_LOGIN):
        assert response.status_code == 302
        login = "/accounts/login/" if expected == LOGIN else "/admin/login/"
        assert response.url.startswith(login)
    else:
        assert response.status_code == expected
    assert not case.done()
    assert fingerprint() == before


def test_the_matrix_covers_every_form_of_the_pages():
    """A new form without a row here would go untested: the URL names say which exist."""
    from compacts.urls import urlpatterns

    posted = {p.name for p in urlpatterns} - {
        "list",
        "dashboard",
        "compact",
        "offers",
        "needs",
        "offer",
        "need",
        "organisation",
        "members",  # its POST is "invite a member"
        "organisation-new",  # anyone signed in (tested in test_pages)
        "invitation-accept",  # the invitee only (tested in test_pages)
        "part-remove",  # tested below, with guessed ids
    }
    covered = {
        "organisation-edit",
        "organisation-delete",
        "member-remove",
        "offer-new",
        "offer-edit",
        "offer-publish",
        "offer-withdraw",
        "need-new",
        "need-edit",
        "need-publish",
        "need-withdraw",
        "suggestion-start",
        "compact-new",
        "compact-edit",
        "party-add",
        "party-remove",
        "part-add",
        "act",
        "report-new",
        "report-confirm",
        "milestone-done",  # "milestone reached"
    }
    assert posted == covered


# ids guessed from another organisation -----------------------------------------------------


def test_another_organisations_drafts_are_404_whatever_the_path(client, cast):
    compact = compact_ready(cast)
    offer = offer_make(cast)
    need = need_make(cast)
    resource = compact.resources.first()
    other_party = compact.parties.first()
    own = services.compact_create(
        user=cast.outsider, organisation=cast.outsider_org, role="funder", title="Mine"
    )
    client.force_login(cast.outsider)
    before = fingerprint()
    for path in (
        f"/compacts/{compact.pk}/",
        f"/compacts/{compact.pk}/edit/",
        f"/compacts/{compact.pk}/reports/new/",
        f"/compacts/offers/{offer.pk}/",
        f"/compacts/offers/{offer.pk}/edit/",
        f"/compacts/needs/{need.pk}/",
        f"/compacts/needs/{need.pk}/edit/",
        f"/compacts/organisations/{cast.provider.slug}/members/",
    ):
        assert client.get(path).status_code == 404, path
    for path in (
        f"/compacts/{compact.pk}/resource/{resource.pk}/remove/",
        f"/compacts/{compact.pk}/act/propose/",
        f"/compacts/offers/{offer.pk}/publish/",
        f"/compacts/needs/{need.pk}/withdraw/",
    ):
        assert client.post(path).status_code == 404, path
    # through the outsider's own compact, someone else's parts are still out of reach
    assert client.post(f"/compacts/{own.pk}/resource/{resource.pk}/remove/").status_code == 404
    assert client.post(f"/compacts/{own.pk}/parties/{other_party.pk}/remove/").status_code == 404
    form = {"resource-party": other_party.pk, "resource-kind": "compute"}
    form |= {"resource-description": "Someone else's GPUs"}
    assert client.post(f"/compacts/{own.pk}/resource/add/", form).status_code == 400
    assert fingerprint() == before


def test_anonymous_get_of_member_forms_goes_to_login_and_changes_nothing(client, cast):
    compact = compact_ready(cast)
    before = fingerprint()
    for path in (
        f"/compacts/{compact.pk}/edit/",
        f"/compacts/{compact.pk}/reports/new/",
        f"/compacts/organisations/{cast.provider.slug}/members/",
        "/compacts/new-organisation/",
    ):
        response = client.get(path)
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/")
    assert client.post("/compacts/new-organisation/", {"name": "X"}).status_code == 302
    assert fingerprint() == before
