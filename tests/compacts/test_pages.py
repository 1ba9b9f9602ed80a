"""The compacts pages through the Django test client: what each page shows, the filters, the
forms' errors (which change nothing), the one-click start and the country page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from compacts import services
from compacts.models import Compact, Need, Offer, Organisation, Outcome, Suggestion
from compacts.suggestions import suggestions_recompute
from countries.models import Country
from registry.models import Entry
from tests.compacts.conftest import compact_ready, member_make, report_confirmed

pytestmark = pytest.mark.django_db


def activate(cast, compact: Compact) -> Compact:
    steps = [
        (cast.provider_owner, "propose"),
        (cast.provider_owner, "sign"),
        (cast.steward_owner, "sign"),
        (cast.steward_owner, "submit"),
        (cast.editor, "activate"),
    ]
    for user, action in steps:
        compact = services.compact_transition(user=user, compact=compact, action=action)
    return compact


def offer_make(cast, **extra) -> Offer:
    fields = {
        "title": "A100 GPU-hours for health models",
        "description": "Idle GPU time on our cluster.",
        "kind": "compute",
        "domains": ["health", "language"],
        "languages": ["sw", "en"],
        "licence": "open_permissive",
        "amount": 5000,
        "unit": "GPU-hours per month",
        "lacks": ["local_data"],
        **extra,
    }
    return services.offer_save(user=cast.provider_owner, organisation=cast.provider, **fields)


def need_make(cast, **extra) -> Need:
    fields = {
        "title": "Compute for a Swahili clinical speech model",
        "description": "We have the recordings, not the GPUs.",
        "country": Country.objects.get(iso3="KEN"),
        "domains": ["health"],
        "languages": ["sw"],
        "wants": ["compute"],
        "brings": ["local_data"],
        "brings_detail": "2,000 hours of consented clinical speech",
        "licences": ["open_permissive"],
        **extra,
    }
    return services.need_save(user=cast.steward_owner, organisation=cast.steward, **fields)


def published_pair(cast) -> tuple[Offer, Need]:
    offer = services.listing_publish(user=cast.provider_owner, listing=offer_make(cast))
    need = services.listing_publish(user=cast.steward_owner, listing=need_make(cast))
    suggestions_recompute()
    return offer, need


def body(response) -> str:
    return response.content.decode()


# public lists and pages --------------------------------------------------------------------


def test_the_public_list_shows_active_compacts_only_and_filters_them(client, cast):
    active = activate(cast, compact_ready(cast))
    draft = services.compact_create(
        user=cast.outsider, organisation=cast.outsider_org, role="provider", title="Secret plan"
    )
    html = body(client.get("/compacts/"))
    assert active.title in html
    assert draft.title not in html
    assert "1 compact." in html
    cases = {
        "domain=health": True,
        "domain=climate": False,
        "country=KEN": True,  # a country it serves
        "country=DEU": True,  # a party is based there
        "country=BRA": False,
        "status=active": True,
        "status=completed": False,
        "kind=compute": True,
        "kind=model": False,
        "q=swahili": True,
        "q=tractors": False,
    }
    for query, found in cases.items():
        response = client.get(f"/compacts/?{query}")
        assert response.status_code == 200
        assert (active.title in body(response)) is found, query


def test_a_bad_filter_is_a_400_that_says_why(client, cast):
    response = client.get("/compacts/", {"domain": "astrology", "status": "draft"})
    assert response.status_code == 400
    html = body(response)
    assert "Some filters are not valid" in html
    assert "<code>domain</code>" in html
    assert "<code>status</code>" in html  # drafts are never public


def test_the_compact_page_shows_parties_safeguards_progress_and_history(client, cast):
    compact = activate(cast, compact_ready(cast))
    outcome = compact.outcomes.get()
    steward = compact.parties.get(organisation=cast.steward)
    report = services.report_file(
        user=cast.steward_member,
        compact=compact,
        party=steward,
        period_end=timezone.localdate(),
        summary="First quarter: 400 hours transcribed.",
        values={outcome.pk: 31},
    )
    html = body(client.get(f"/compacts/{compact.pk}/"))
    for text in (
        "Open Compute Cooperative",
        "Nairobi Health Data Trust",
        "Data steward",
        "A100 GPU-hours",
        "5,000",
        "Recordings never leave Kenya",
        "Misuse-prevention terms",
        "No use for surveillance",
        "Word error rate on clinical Swahili",
        "First quarter: 400 hours transcribed.",
        "Self-reported",
        "confirmed by 0 of 2 parties",
        'value="30"',  # 38 -> 31 on the way to 15: 7 of 23, 30%
        "self-reported, to",
    ):
        assert text in html, text
    assert "What you can do" not in html  # an anonymous reader acts on nothing
    # who took each step: the acting organisation, or "an editor"; never a person
    history = html.split('id="history"')[1]
    assert "Propose: draft → proposed" in history
    assert "Open Compute Cooperative" in history
    assert "an editor" in history
    assert "ada@provider.example" not in html
    provider = compact.parties.get(organisation=cast.provider)
    for owner, party in ((cast.steward_owner, steward), (cast.provider_owner, provider)):
        services.report_confirm(user=owner, report=report, party=party)
    html = body(client.get(f"/compacts/{compact.pk}/"))
    assert "Verified by every party" in html
    assert "verified, to" in html


def test_a_stale_compact_says_since_when(client, cast):
    compact = activate(cast, compact_ready(cast))
    assert "no progress report since" not in body(client.get(f"/compacts/{compact.pk}/"))
    later = timezone.localdate() + timedelta(days=compact.reporting_period_days + 1)
    services.compacts_mark_stale(today=later)
    html = body(client.get(f"/compacts/{compact.pk}/"))
    assert "Stale:" in html
    assert f"no progress report since {compact.activated_at:%-d %B %Y}" in html


def test_versions_link_each_other_and_the_old_one_stays_visible(client, cast):
    v1 = activate(cast, compact_ready(cast))
    v2 = services.compact_amend(user=cast.steward_owner, compact=v1, reason="More GPU-hours.")
    # the draft amendment is the parties' business until it is active
    assert "Version 2" not in body(client.get(f"/compacts/{v1.pk}/"))
    assert client.get(f"/compacts/{v2.pk}/").status_code == 404
    client.force_login(cast.steward_member)
    assert f'href="/compacts/{v2.pk}/">Version 2' in body(client.get(f"/compacts/{v1.pk}/"))
    client.logout()
    v2 = activate(cast, v2)
    old = body(client.get(f"/compacts/{v1.pk}/"))
    assert "superseded by an amendment" in old
    assert f'href="/compacts/{v2.pk}/">Version 2' in old
    new = body(client.get(f"/compacts/{v2.pk}/"))
    assert f'amending <a href="/compacts/{v1.pk}/">version 1</a>' in new


def test_draft_compacts_offers_and_needs_are_404_to_others(client, cast):
    compact = compact_ready(cast)
    offer, need = offer_make(cast), need_make(cast)
    for user in (None, cast.outsider, cast.editor):
        if user:
            client.force_login(user)
        for path in (f"/compacts/{compact.pk}/", f"/compacts/offers/{offer.pk}/"):
            assert client.get(path).status_code == 404, (user, path)
    client.force_login(cast.steward_member)
    assert client.get(f"/compacts/needs/{need.pk}/").status_code == 200
    assert client.get(f"/compacts/offers/{offer.pk}/").status_code == 404


def test_lifecycle_buttons_show_only_to_those_who_may_act(client, cast):
    compact = compact_ready(cast)
    client.force_login(cast.provider_member)
    html = body(client.get(f"/compacts/{compact.pk}/"))
    assert "Edit terms, parties and outcomes" in html
    assert f"/compacts/{compact.pk}/act/propose/" not in html  # members draft; owners propose
    client.force_login(cast.provider_owner)
    html = body(client.get(f"/compacts/{compact.pk}/"))
    assert f"/compacts/{compact.pk}/act/propose/" in html
    assert 'name="reason"' in html  # withdrawing asks why
    compact = services.compact_transition(
        user=cast.provider_owner, compact=compact, action="propose"
    )
    html = body(client.get(f"/compacts/{compact.pk}/"))
    assert "Sign for Open Compute Cooperative" in html
    assert "Sign for Nairobi" not in html
    assert f'name="revision" value="{compact.revision}"' in html


# offers, needs and organisations ----------------------------------------------------------


def test_offer_and_need_lists_filter_published_ones(client, cast):
    offer, need = published_pair(cast)
    draft = offer_make(cast, title="An unpublished model", kind="model", model_name="Kiswahili-7B")
    html = body(client.get("/compacts/offers/"))
    assert offer.title in html
    assert draft.title not in html
    assert offer.title in body(client.get("/compacts/offers/", {"kind": "compute"}))
    assert offer.title not in body(client.get("/compacts/offers/", {"kind": "dataset"}))
    assert offer.title in body(client.get("/compacts/offers/", {"language": "sw"}))
    assert offer.title not in body(client.get("/compacts/offers/", {"language": "fr"}))
    assert offer.title in body(client.get("/compacts/offers/", {"country": "DEU"}))
    assert need.title in body(client.get("/compacts/needs/", {"kind": "compute", "country": "KEN"}))
    assert need.title not in body(client.get("/compacts/needs/", {"domain": "climate"}))
    assert client.get("/compacts/needs/", {"language": "not a code"}).status_code == 400


def test_an_offer_page_shows_its_kind_and_the_owners_buttons(client, cast):
    offer = offer_make(cast)
    client.force_login(cast.provider_member)
    html = body(client.get(f"/compacts/offers/{offer.pk}/"))
    assert "GPU-hours per month" in html
    assert "5,000" in html
    assert "Edit" in html
    assert "/publish/" not in html  # only owners publish
    client.force_login(cast.provider_owner)
    html = body(client.get(f"/compacts/offers/{offer.pk}/"))
    assert f"/compacts/offers/{offer.pk}/publish/" in html


def test_a_verified_members_page_is_public_and_owners_see_more(client, cast):
    offer, _ = published_pair(cast)
    draft = offer_make(cast, title="Still a draft")
    services.organisation_verify(user=cast.editor, organisation=cast.provider)
    html = body(client.get(f"/compacts/organisations/{cast.provider.slug}/"))
    assert "✓ Verified" in html
    assert offer.title in html
    assert draft.title not in html
    assert "/edit/" not in html
    assert "bob@provider.example" not in html
    client.force_login(cast.provider_owner)
    html = body(client.get(f"/compacts/organisations/{cast.provider.slug}/"))
    assert draft.title in html
    assert f"/compacts/organisations/{cast.provider.slug}/edit/" in html
    members = body(client.get(f"/compacts/organisations/{cast.provider.slug}/members/"))
    assert "bob@provider.example" in members
    assert "Invite someone" in members
    # another organisation, not verified yet: hidden from anyone but its members and editors
    assert client.get(f"/compacts/organisations/{cast.steward.slug}/").status_code == 404
    client.force_login(cast.steward_member)
    html = body(client.get(f"/compacts/organisations/{cast.steward.slug}/"))
    assert "Not verified yet" in html


def test_an_offer_form_checks_each_kind_and_changes_nothing_when_wrong(client, cast):
    client.force_login(cast.provider_member)
    url = f"/compacts/organisations/{cast.provider.slug}/new-offer/"
    page = body(client.get(url))
    assert 'data-kind="compute"' in page
    assert 'data-kind="model"' in page
    before = Offer.objects.count()
    form = {
        "title": "GPUs",
        "kind": "compute",
        "domains": ["health"],
        "languages": "sw, english!",
        "targets": "KEN, Atlantis",
        "licence": "open_permissive",
    }
    response = client.post(url, form)
    assert response.status_code == 400
    html = body(response)
    assert "Not a language code: english!" in html
    assert "Not a country code or a region: Atlantis" in html
    form.update(languages="sw, pt-br", targets="ken, africa")
    html = body(client.post(url, form))
    assert "Compute needs an amount and its unit." in html
    assert Offer.objects.count() == before
    form.update(amount="5000", unit="GPU-hours")
    response = client.post(url, form)
    assert response.status_code == 302
    offer = Offer.objects.get(title="GPUs")
    assert (offer.languages, offer.targets, offer.status) == (
        ["sw", "pt-BR"],
        ["KEN", "Africa"],
        "draft",
    )
    assert response.url == f"/compacts/offers/{offer.pk}/"
    model = {**form, "kind": "model", "title": "A model"}
    assert "Name the model." in body(client.post(url, model))


def test_a_need_form_requires_what_matching_needs(client, cast):
    client.force_login(cast.steward_owner)
    url = f"/compacts/organisations/{cast.steward.slug}/new-need/"
    response = client.post(url, {"title": "Help", "country": Country.objects.get(iso3="KEN").pk})
    assert response.status_code == 400
    html = body(response)
    assert "Choose at least one: resources sought." in html
    assert "Choose at least one: acceptable licences." in html
    assert not Need.objects.exists()


def test_publish_and_withdraw_through_the_pages(client, cast, django_capture_on_commit_callbacks):
    offer = offer_make(cast)
    client.force_login(cast.provider_owner)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(f"/compacts/offers/{offer.pk}/publish/")
    assert response.status_code == 302
    assert queued  # the suggestions are recomputed once it is committed
    offer.refresh_from_db()
    assert offer.status == "published"
    again = client.post(f"/compacts/offers/{offer.pk}/publish/")
    assert again.status_code == 409
    assert "Already published." in body(again)
    assert client.post(f"/compacts/offers/{offer.pk}/withdraw/").status_code == 302
    offer.refresh_from_db()
    assert offer.status == "withdrawn"


def test_organisation_create_needs_a_verified_email(client, cast):
    unverified = member_make("new@example.org", verified=False)
    client.force_login(unverified)
    form = {"name": "New Org", "kind": "non_profit", "country": Country.objects.get(iso3="GHA").pk}
    response = client.post("/compacts/new-organisation/", form)
    assert response.status_code == 409
    assert "Verify your e-mail address first." in body(response)
    assert not Organisation.objects.filter(name="New Org").exists()
    client.force_login(cast.outsider)
    response = client.post("/compacts/new-organisation/", {**form, "website": "not a url"})
    assert response.status_code == 400
    assert "Enter a valid URL." in body(response)
    response = client.post("/compacts/new-organisation/", form)
    org = Organisation.objects.get(name="New Org")
    assert response.url == f"/compacts/organisations/{org.slug}/"
    assert org.memberships.get().user == cast.outsider


def test_invitations_wait_on_the_invitees_dashboard(client, cast):
    client.force_login(cast.provider_owner)
    url = f"/compacts/organisations/{cast.provider.slug}/members/"
    response = client.post(url, {"email": "bob@provider.example", "role": "member"})
    assert response.status_code == 409
    assert "already a member" in body(response)
    assert client.post(url, {"email": "kofi@example.org", "role": "owner"}).status_code == 302
    kofi = member_make("kofi@example.org")
    client.force_login(kofi)
    html = body(client.get("/compacts/dashboard/"))
    # not verified yet, so its page is not the invitee's to see until they join: no link
    assert "Open Compute Cooperative invites you as owner" in html
    invitation = cast.provider.invitations.get(email="kofi@example.org")
    client.force_login(cast.outsider)  # not the invitee: as if it did not exist
    assert client.post(f"/compacts/invitations/{invitation.pk}/accept/").status_code == 404
    client.force_login(kofi)
    response = client.post(f"/compacts/invitations/{invitation.pk}/accept/")
    assert response.url == f"/compacts/organisations/{cast.provider.slug}/"
    assert cast.provider.memberships.get(user=kofi).role == "owner"


def test_the_last_owner_cannot_be_removed_and_a_member_can_leave(client, cast):
    client.force_login(cast.provider_owner)
    own = cast.provider.memberships.get(user=cast.provider_owner)
    url = f"/compacts/organisations/{cast.provider.slug}/members/{own.pk}/remove/"
    response = client.post(url)
    assert response.status_code == 409
    assert "keeps at least one owner" in body(response)
    client.force_login(cast.provider_member)
    mine = cast.provider.memberships.get(user=cast.provider_member)
    url = f"/compacts/organisations/{cast.provider.slug}/members/{mine.pk}/remove/"
    assert client.post(url).url == "/compacts/dashboard/"
    assert not cast.provider.memberships.filter(user=cast.provider_member).exists()


# the dashboard and the one-click start -----------------------------------------------------


def test_the_dashboard_shows_suggestions_with_their_reasons(client, cast):
    offer, need = published_pair(cast)
    suggestion = Suggestion.objects.get(offer=offer, need=need)
    client.force_login(cast.steward_member)
    html = body(client.get("/compacts/dashboard/"))
    assert "Nairobi Health Data Trust" in html
    assert f'For your need “<a href="/compacts/needs/{need.pk}/">' in html
    assert offer.title in html
    assert suggestion.reasons[0].capitalize()[:20] in html
    assert "Complementarity" in html
    assert "strong" in html  # compute asked, compute given
    assert f"{suggestion.parts['complementarity']:.2f}" in html
    assert f"/compacts/suggestions/{suggestion.pk}/start/" in html
    client.force_login(cast.provider_member)
    html = body(client.get("/compacts/dashboard/"))
    assert f'For your offer “<a href="/compacts/offers/{offer.pk}/">' in html


def test_one_click_starts_a_compact_from_a_suggestion(client, cast):
    offer, need = published_pair(cast)
    suggestion = Suggestion.objects.get(offer=offer, need=need)
    client.force_login(cast.outsider)
    assert client.post(f"/compacts/suggestions/{suggestion.pk}/start/").status_code == 403
    assert not Compact.objects.exists()
    client.force_login(cast.steward_owner)
    response = client.post(f"/compacts/suggestions/{suggestion.pk}/start/")
    compact = Compact.objects.get()
    assert response.status_code == 302
    assert response.url == f"/compacts/{compact.pk}/"
    assert {p.organisation for p in compact.parties.all()} == {cast.provider, cast.steward}
    assert (compact.suggestion_offer, compact.suggestion_need) == (offer, need)
    html = body(client.get(response.url))
    assert "Before it can be proposed, fill in:" in html
    assert "at least one outcome" in html
    dashboard = body(client.get("/compacts/dashboard/"))
    assert f'Compact started: <a href="/compacts/{compact.pk}/">' in dashboard


def test_the_dashboard_lists_drafts_and_signatures_awaited(client, cast):
    compact = compact_ready(cast)
    need_make(cast, title="A need in draft")
    compact = services.compact_transition(
        user=cast.provider_owner, compact=compact, action="propose"
    )
    client.force_login(cast.steward_owner)
    html = body(client.get("/compacts/dashboard/"))
    assert "Signatures awaited" in html
    assert "awaits the signature of Nairobi Health Data Trust" in html
    assert "Draft need" in html
    assert "A need in draft" in html
    client.force_login(cast.steward_member)  # members do not sign
    assert "Signatures awaited" not in body(client.get("/compacts/dashboard/"))


# compact forms -----------------------------------------------------------------------------


def test_compact_create_and_edit_with_clear_errors(client, cast):
    client.force_login(cast.provider_member)
    url = f"/compacts/organisations/{cast.provider.slug}/new-compact/"
    response = client.post(url, {"role": "provider", "title": "", "countries": "KEN, XYZ"})
    assert response.status_code == 400
    html = body(response)
    assert "This field is required." in html
    assert "Unknown country code: XYZ." in html
    assert not Compact.objects.exists()
    response = client.post(url, {"role": "provider", "title": "GPUs for Kenya", "countries": "ken"})
    compact = Compact.objects.get()
    assert response.url == f"/compacts/{compact.pk}/"
    assert [c.iso3 for c in compact.countries.all()] == ["KEN"]
    edit = f"/compacts/{compact.pk}/edit/"
    page = body(client.get(edit))
    assert 'value="KEN"' in page
    response = client.post(edit, {"title": "GPUs", "reporting_period_days": 3, "countries": "KEN"})
    assert response.status_code == 400
    assert "greater than or equal to 7" in body(response)
    compact.refresh_from_db()
    assert (compact.title, compact.revision) == ("GPUs for Kenya", 1)
    terms = {"title": "GPUs", "reporting_period_days": 30, "countries": "KEN, TZA"}
    terms |= {"domains": ["health"], "data_residency": "Data stays in Kenya."}
    assert client.post(edit, terms).status_code == 302
    compact.refresh_from_db()
    assert (compact.title, compact.revision, compact.domains) == ("GPUs", 2, ["health"])
    outcome = {"outcome-indicator": "Clinics", "outcome-baseline": 5, "outcome-target": 5}
    outcome |= {"outcome-due": "2027-06-30"}
    response = client.post(f"/compacts/{compact.pk}/outcome/add/", outcome)
    assert response.status_code == 400
    assert "The target must differ from the baseline." in body(response)
    assert not Outcome.objects.exists()
    outcome["outcome-target"] = 40
    assert client.post(f"/compacts/{compact.pk}/outcome/add/", outcome).status_code == 302
    party = {"party-organisation": cast.steward.pk, "party-role": "data_steward"}
    assert client.post(f"/compacts/{compact.pk}/parties/add/", party).status_code == 302
    own = compact.parties.get(organisation=cast.provider)  # a member writes its own commitments
    resource = {"resource-party": own.pk, "resource-kind": "know_how"}
    resource |= {"resource-description": "Two MLOps engineers"}
    assert client.post(f"/compacts/{compact.pk}/resource/add/", resource).status_code == 302
    page = body(client.get(edit))
    assert "Two MLOps engineers" in page
    assert "Nairobi Health Data Trust (Data steward)" in page
    item = compact.resources.get()
    removed = client.post(f"/compacts/{compact.pk}/resource/{item.pk}/remove/")
    assert removed.status_code == 302
    assert not compact.resources.exists()
    assert client.post(f"/compacts/{compact.pk}/gadget/add/", {}).status_code == 404


def _refusal_shown(client, response, compact) -> str:
    """A refused action answers "see the compact's page", which shows why: a reload reads
    that page again instead of landing on the action's address."""
    assert response.status_code == 303
    assert response.url == f"/compacts/{compact.pk}/"
    page = client.get(response.url)
    assert page.status_code == 200
    return body(page)


def test_lifecycle_errors_are_shown_and_change_nothing(client, cast):
    compact = compact_ready(cast)
    client.force_login(cast.provider_owner)
    bare = services.compact_create(
        user=cast.provider_owner, organisation=cast.provider, role="provider", title="Bare"
    )
    response = client.post(f"/compacts/{bare.pk}/act/propose/")
    assert "A compact needs at least two parties." in _refusal_shown(client, response, bare)
    response = client.post(f"/compacts/{compact.pk}/act/withdraw/", {"reason": "  "})
    assert "Say why: a reason is required." in _refusal_shown(client, response, compact)
    assert client.post(f"/compacts/{compact.pk}/act/propose/").status_code == 303
    compact.refresh_from_db()
    seen = compact.revision
    services.compact_update(user=cast.steward_member, compact=compact, summary="Sneaky change.")
    provider = compact.parties.get(organisation=cast.provider)
    response = client.post(
        f"/compacts/{compact.pk}/act/sign/", {"party": provider.pk, "revision": seen}
    )
    assert "changed since you read it" in _refusal_shown(client, response, compact)
    assert not compact.signatures.exists()
    assert client.post(f"/compacts/{compact.pk}/act/dance/").status_code == 404


def test_a_refused_action_is_not_left_at_an_address_that_cannot_be_reloaded(client, cast):
    compact = compact_ready(cast)
    client.force_login(cast.provider_owner)
    response = client.post(f"/compacts/{compact.pk}/act/submit/", follow=True)
    assert response.redirect_chain == [(f"/compacts/{compact.pk}/", 303)]
    assert response.status_code == 200
    assert "Nothing was changed" in body(response)
    # reloading, or opening the action's address, reads the compact's page: never a 405
    again = client.get(f"/compacts/{compact.pk}/act/submit/", follow=True)
    assert again.status_code == 200
    assert again.redirect_chain == [(f"/compacts/{compact.pk}/", 303)]
    # and the message was shown once
    assert "Nothing was changed" not in body(again)
    assert Compact.objects.get(pk=compact.pk).status == "draft"


def test_progress_reports_are_filed_and_confirmed_on_the_pages(client, cast):
    compact = activate(cast, compact_ready(cast))
    outcome = compact.outcomes.get()
    steward = compact.parties.get(organisation=cast.steward)
    client.force_login(cast.steward_member)
    url = f"/compacts/{compact.pk}/reports/new/"
    assert "Word error rate on clinical Swahili" in body(client.get(url))
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    form = {"party": steward.pk, "period_end": future, "summary": "Done."}
    response = client.post(url, form)
    assert response.status_code == 400
    assert "The period cannot end in the future." in body(response)
    assert not compact.reports.exists()
    form |= {"period_end": timezone.localdate().isoformat(), f"outcome_{outcome.pk}": "30.5"}
    assert client.post(url, form).url == f"/compacts/{compact.pk}/"
    report = compact.reports.get()
    assert report.values.get().value == 30.5
    client.force_login(cast.steward_owner)
    html = body(client.get(f"/compacts/{compact.pk}/"))
    assert "Confirm for Nairobi Health Data Trust" in html
    assert "Confirm for Open Compute" not in html
    confirm = f"/compacts/reports/{report.pk}/confirm/"
    assert client.post(confirm, {"party": steward.pk}).status_code == 302
    assert client.post(confirm, {"party": steward.pk}).status_code == 409  # once per party
    client.force_login(cast.provider_owner)
    provider = compact.parties.get(organisation=cast.provider)
    client.post(confirm, {"party": provider.pk})
    report.refresh_from_db()
    assert report.verified
    assert Entry.objects.filter(event="progress_report.verified").count() == 1


# the country page, the navigation, the login wall -----------------------------------------


def test_the_country_page_lists_its_compacts(
    client, cast, eager_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # activation rescores the index
        compact = activate(cast, compact_ready(cast))
    # the headline methodology counts a compact only once every party confirmed its progress
    germany = body(client.get("/countries/DEU/"))
    assert compact.title in germany
    assert "No active compact moves Germany" in germany
    with django_capture_on_commit_callbacks(execute=True):  # verification rescores the index
        report_confirmed(compact, cast.provider_owner, cast.steward_owner)
    kenya = body(client.get("/countries/KEN/"))
    assert f'href="/compacts/{compact.pk}/">{compact.title}</a>' in kenya
    assert "takes part in no mutual-aid compact yet" not in kenya
    germany = body(client.get("/countries/DEU/"))  # where a party is based
    assert compact.title in germany
    brazil = body(client.get("/countries/BRA/"))
    assert "takes part in no mutual-aid compact yet" in brazil
    assert compact.title not in brazil
    # the provider's commitments to a partner abroad move Germany's score, not Kenya's
    moving = germany.split('id="compacts-in-score"')[1].split("<h2")[0]
    assert f'href="/compacts/{compact.pk}/">{compact.title}</a> ({compact.reference}):' in moving
    # 5,000 GPU-hours make 4.699 points, capped at the headline's per_compact_max of 1
    assert f"({compact.reference}): 1.00 points" in moving
    assert "No active compact moves Brazil" in brazil


def test_drafts_do_not_show_on_the_country_page(client, cast):
    compact = compact_ready(cast)
    assert compact.title not in body(client.get("/countries/KEN/"))


def test_the_navigation_leads_to_compacts_and_the_dashboard(client, cast):
    html = body(client.get("/compacts/"))
    assert 'href="/compacts/" aria-current="page">Compacts</a>' in html
    assert "My dashboard" not in html
    client.force_login(cast.steward_member)
    html = body(client.get("/compacts/dashboard/"))
    assert 'href="/compacts/dashboard/" aria-current="page">My dashboard</a>' in html


@pytest.mark.parametrize(
    "path",
    [
        "/compacts/dashboard/",
        "/compacts/new-organisation/",
        "/compacts/organisations/open-compute-cooperative/edit/",
        "/compacts/organisations/open-compute-cooperative/new-offer/",
        "/compacts/organisations/open-compute-cooperative/new-compact/",
    ],
)
def test_anonymous_readers_are_sent_to_log_in(client, cast, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


# the editors' admin ------------------------------------------------------------------------


def _admin_action(client, model: str, action: str, pks, **extra):
    data = {"action": action, "_selected_action": [str(pk) for pk in pks], "index": "0", **extra}
    return client.post(f"/admin/compacts/{model}/", data, follow=True)


def test_editors_verify_organisations_in_the_admin(client, cast):
    client.force_login(cast.editor)
    response = _admin_action(client, "organisation", "verify_selected", [cast.provider.pk])
    assert "Open Compute Cooperative: verified." in body(response)
    cast.provider.refresh_from_db()
    assert cast.provider.verified_by == cast.editor
    response = _admin_action(
        client, "organisation", "verify_selected", [cast.provider.pk, cast.steward.pk]
    )
    html = body(response)
    assert "Open Compute Cooperative is already verified." in html  # shown, not raised
    assert "Nairobi Health Data Trust: verified." in html


def test_staff_without_the_permission_cannot_verify(client, cast):
    staff = member_make("staff@example.org")
    staff.is_staff = True
    staff.save()  # staff, but not in the Editors group
    assert not staff.groups.exists()
    client.force_login(staff)
    _admin_action(client, "organisation", "verify_selected", [cast.provider.pk])
    cast.provider.refresh_from_db()
    assert not cast.provider.verified


def test_editors_approve_or_return_compacts_in_the_admin(client, cast):
    compact = compact_ready(cast)
    for user, action in (
        (cast.provider_owner, "propose"),
        (cast.provider_owner, "sign"),
        (cast.steward_owner, "sign"),
        (cast.steward_owner, "submit"),
    ):
        compact = services.compact_transition(user=user, compact=compact, action=action)
    client.force_login(cast.editor)
    page = body(client.get(f"/admin/compacts/compact/{compact.pk}/change/"))
    assert "Recordings never leave Kenya" in page  # the safeguards, to be checked
    assert "Safeguards" in page
    # returning asks for a reason first, on a page of its own
    asked = _admin_action(client, "compact", "return_for_changes", [compact.pk])
    assert "Reason" in body(asked)
    refused = _admin_action(client, "compact", "return_for_changes", [compact.pk], apply="1")
    assert "a reason is required" in body(refused)
    compact.refresh_from_db()
    assert compact.status == "under_review"
    returned = _admin_action(
        client,
        "compact",
        "return_for_changes",
        [compact.pk],
        apply="1",
        reason="Name who audits misuse.",
    )
    assert "returned to its parties" in body(returned)
    compact.refresh_from_db()
    assert compact.status == "draft"
    assert compact.transitions.last().reason == "Name who audits misuse."
    for user, action in (
        (cast.provider_owner, "propose"),
        (cast.provider_owner, "sign"),
        (cast.steward_owner, "sign"),
        (cast.steward_owner, "submit"),
    ):
        compact = services.compact_transition(user=user, compact=compact, action=action)
    approved = _admin_action(client, "compact", "approve", [compact.pk])
    assert "approved, now active" in body(approved)
    compact.refresh_from_db()
    assert compact.status == "active"
    again = _admin_action(client, "compact", "approve", [compact.pk])
    assert "cannot activate" in body(again)


def test_the_review_page_shows_countries_and_milestones_in_few_queries(client, cast):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    compact = compact_ready(cast)
    for owner in (cast.provider_owner, cast.steward_owner):
        compact = services.compact_transition(
            user=owner,
            compact=compact,
            action="propose" if owner == cast.provider_owner else "sign",
        )
    client.force_login(cast.editor)
    with CaptureQueriesContext(connection) as queries:
        html = body(client.get(f"/admin/compacts/compact/{compact.pk}/change/"))
    assert "Kenya" in html
    assert "Milestones" in html
    assert len(queries) <= 20
