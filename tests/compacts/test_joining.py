"""Joining the alliance through its pages: applying (as a person, for a new organisation, for
one already owned), the editors' desk, a decline and its appeal, suspension, ending, a new
version of the principles, lapse and renewal; and the notice where a non-member is refused."""

from datetime import timedelta

import pytest
from django.conf import settings

from compacts import services
from compacts.alliance import services as alliance
from compacts.alliance.models import AllianceMembership, Principles
from compacts.alliance.principles import FOUNDING
from compacts.models import Offer, Organisation
from countries.models import Country
from registry.models import Concern, Entry
from tests.compacts.conftest import member_make, principles_current

pytestmark = pytest.mark.django_db

REASON = "We run open clinical speech models and want to share them."


def body(response) -> str:
    return response.content.decode()


def application(**fields) -> dict:
    return {
        "applying_as": "individual",
        "your_name": "Amina Otieno",
        "your_country": Country.objects.get(iso3="KEN").pk,
        "reason": REASON,
        "ways": ["compacts", "oversight"],
        "domains": ["health"],
        "endorse": "on",
        "principles_version": principles_current().version,
        **fields,
    }


def new_principles(editor, **fields) -> Principles:
    principles_current()
    text = [*FOUNDING[:4], {**FOUNDING[4], "text": FOUNDING[4]["text"] + " Remedies are public."}]
    return alliance.principles_publish(
        user=editor,
        principles=text,
        note=fields.get("note", "Remedies are public."),
        renewal_days=fields.get("renewal_days", 30),
    )


@pytest.fixture
def applicant(client):
    user = member_make("amina@example.org")
    client.force_login(user)
    return user


def test_anonymous_visitors_read_the_principles_and_the_ways_and_are_asked_to_sign_up(client):
    principles_current()
    html = body(client.get("/join/"))
    for principle in FOUNDING:
        assert principle["title"] in html
        assert principle["text"] in html
    assert "Co-create mutual-aid compacts" in html
    assert "Sign up / Log in to apply" in html
    assert 'name="endorse"' not in html


def test_the_site_navigation_links_to_join(client):
    assert 'href="/join/">Join</a>' in body(client.get("/"))


def test_an_individual_applies_and_chooses_to_be_listed(client, applicant):
    form = client.get("/join/")
    assert 'name="principles_version"' in body(form)
    response = client.post("/join/", application(listed="on"))
    assert response.status_code == 303
    assert response.url == "/join/membership/"
    membership = AllianceMembership.objects.get(applicant=applicant)
    assert membership.organisation.kind == "individual"
    assert membership.organisation.name == "Amina Otieno"
    assert membership.listed is True
    assert membership.ways == ["compacts", "oversight"]
    assert membership.endorsement().principles.version == principles_current().version
    page = body(client.get("/join/membership/"))
    assert "Applied, awaiting an editor" in page
    assert "The application of Amina Otieno is received" in page


def test_an_individual_is_not_listed_unless_they_say_so(client, applicant):
    assert client.post("/join/", application()).status_code == 303
    assert AllianceMembership.objects.get(applicant=applicant).listed is False


def test_applying_again_as_an_individual_is_for_the_same_person_and_says_where_to_look(
    client, applicant, cast
):
    assert client.post("/join/", application()).status_code == 303
    again = client.post("/join/", application())
    assert again.status_code == 409
    assert "Amina Otieno already has a membership (applied" in body(again)
    assert "/join/membership/" in body(again)
    assert "already exists" not in body(again)
    assert Organisation.objects.filter(kind="individual").count() == 1

    # declined, the person applies again: the same individual, a new application
    first = AllianceMembership.objects.get(applicant=applicant)
    alliance.membership_decline(user=cast.editor, membership=first, reason="Say more of why.")
    assert client.post("/join/", application()).status_code == 303
    assert Organisation.objects.filter(kind="individual").count() == 1
    assert AllianceMembership.objects.filter(organisation=first.organisation).count() == 2


def test_an_organisation_applies_when_it_is_created(client, applicant):
    response = client.post(
        "/join/",
        application(
            applying_as="new",
            your_name="",
            organisation_name="Lakeside Speech Lab",
            kind="research",
            organisation_country=Country.objects.get(iso3="UGA").pk,
            website="lakeside.example",
            description="Speech models for Lake Victoria's languages.",
        ),
    )
    assert response.status_code == 303
    org = Organisation.objects.get(name="Lakeside Speech Lab")
    assert org.kind == "research"
    assert org.website == "https://lakeside.example"
    assert org.alliance_memberships.get().status == "applied"


def test_an_owner_applies_for_an_organisation_it_already_has(client, applicant):
    org = services.organisation_create(
        user=applicant, name="Kisumu Data Coop", kind="non_profit", country=Country.objects.first()
    )
    assert "Kisumu Data Coop" in body(client.get("/join/"))
    response = client.post("/join/", application(applying_as="owned", organisation=org.pk))
    assert response.status_code == 303
    assert org.alliance_memberships.get().applicant == applicant


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"endorse": ""}, "Read the principles and endorse them to apply."),
        ({"ways": []}, "Choose at least one way of taking part."),
        ({"reason": ""}, "This field is required."),
        ({"your_name": ""}, "Required for this way of applying."),
        ({"applying_as": "new"}, "Required for this way of applying."),
        ({"applying_as": "owned"}, "You own no organisation yet"),
        ({"kind": "individual", "applying_as": "new"}, "Select a valid choice."),
    ],
)
def test_a_wrong_application_is_shown_again_with_the_error_and_changes_nothing(
    client, applicant, change, message
):
    before = (AllianceMembership.objects.count(), Organisation.objects.count())
    response = client.post("/join/", application(**change))
    assert response.status_code == 400
    assert message in body(response)
    assert (AllianceMembership.objects.count(), Organisation.objects.count()) == before


def test_if_the_principles_changed_while_reading_the_service_refuses_and_shows_the_new_text(
    client, applicant, cast
):
    read = principles_current().version
    new = new_principles(cast.editor)
    before = AllianceMembership.objects.count()
    response = client.post("/join/", application(principles_version=read))
    assert response.status_code == 409
    html = body(response)
    assert f"The principles changed to version {new.version} while you were reading" in html
    assert "Remedies are public." in html
    assert f'name="principles_version" value="{new.version}"' in html
    assert AllianceMembership.objects.count() == before


def _applied(client, applicant) -> AllianceMembership:
    assert client.post("/join/", application(applying_as="new", **_new_org())).status_code == 303
    return AllianceMembership.objects.get(applicant=applicant, status="applied")


def _new_org() -> dict:
    return {
        "organisation_name": "Lakeside Speech Lab",
        "kind": "research",
        "organisation_country": Country.objects.get(iso3="UGA").pk,
    }


def test_an_editor_accepts_from_the_desk_the_applicant_is_told_and_it_is_logged(
    client, applicant, cast, mailoutbox, eager_tasks, django_capture_on_commit_callbacks
):
    membership = _applied(client, applicant)
    client.force_login(cast.editor)
    desk = body(client.get("/join/review/"))
    assert "Lakeside Speech Lab" in desk
    assert REASON in desk
    assert "Not yet" in desk  # the organisation is not verified
    size = Entry.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/join/review/{membership.pk}/accept/", {"reason": "Welcome."})
    assert response.status_code == 303
    assert response.url == "/join/review/"
    membership.refresh_from_db()
    assert membership.status == "accepted"
    (entry,) = Entry.objects.filter(leaf_index__gte=size)
    assert entry.event == "membership.accepted"
    assert entry.identifier == f"organisation:{membership.organisation.slug}"
    (mail,) = [m for m in mailoutbox if m.to == [applicant.email]]
    assert "is a member" in mail.subject
    assert "One step remains: an editor verifies who Lakeside Speech Lab is." in mail.body
    assert "Lakeside Speech Lab: accepted." in body(client.get("/join/review/"))


def test_a_decline_needs_a_reason_tells_the_applicant_who_appeals_once(
    client, applicant, cast, mailoutbox, eager_tasks, django_capture_on_commit_callbacks
):
    membership = _applied(client, applicant)
    client.force_login(cast.editor)
    refused = client.post(f"/join/review/{membership.pk}/decline/", {"reason": " "})
    assert refused.status_code == 400
    assert "a reason is required to decline" in body(refused)
    membership.refresh_from_db()
    assert membership.status == "applied"
    size = Entry.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/join/review/{membership.pk}/decline/", {"reason": "No link with AI or aid."})
    membership.refresh_from_db()
    assert membership.status == "declined"
    assert Entry.objects.count() == size  # a decline is not logged
    (mail,) = [m for m in mailoutbox if m.to == [applicant.email]]
    assert "No link with AI or aid." in mail.body
    link = f"/registry/concerns/new/?target=membership&reference=membership-{membership.pk}"
    assert f"{settings.SITE_URL}{link}" in mail.body

    client.force_login(applicant)
    page = body(client.get("/join/membership/"))
    assert "No link with AI or aid." in page
    assert link.replace("&", "&amp;") in page
    form = body(client.get(link))
    assert 'value="membership" selected' in form
    assert f'value="membership-{membership.pk}"' in form
    appeal = {
        "target": "membership",
        "reference": f"membership-{membership.pk}",
        "category": "other",
        "description": "We publish open speech models: see our site.",
    }
    filed = client.post("/registry/concerns/new/", appeal)
    assert filed.status_code == 302
    concern = Concern.objects.get()
    assert concern.target == "membership"
    assert "The decision is appealed" in body(client.get("/join/membership/"))
    again = client.post("/registry/concerns/new/", appeal)
    assert again.status_code == 409
    assert "already appealed: a decision is appealed once" in body(again)
    assert Concern.objects.count() == 1


def test_only_a_declined_application_is_appealed(client, cast):
    membership = cast.provider.alliance_memberships.get()
    client.force_login(cast.provider_owner)
    response = client.post(
        "/registry/concerns/new/",
        {
            "target": "membership",
            "reference": f"membership-{membership.pk}",
            "category": "other",
            "description": "Why?",
        },
    )
    assert response.status_code == 409
    assert "there is no decision to appeal" in body(response)
    unknown = client.post(
        "/registry/concerns/new/",
        {
            "target": "membership",
            "reference": "membership-999999",
            "category": "other",
            "description": "Why?",
        },
    )
    assert unknown.status_code == 400
    assert "Name the decision as membership-N" in body(unknown)
    assert not Concern.objects.exists()


def test_an_editor_suspends_and_reinstates_with_reasons_both_logged(client, cast):
    membership = cast.provider.alliance_memberships.get()
    client.force_login(cast.editor)
    assert client.post(f"/join/review/{membership.pk}/suspend/", {}).status_code == 400
    size = Entry.objects.count()
    response = client.post(
        f"/join/review/{membership.pk}/suspend/", {"reason": "A compact was not kept."}
    )
    assert response.status_code == 303
    membership.refresh_from_db()
    assert membership.status == "suspended"
    assert "A compact was not kept." in body(client.get("/join/review/"))
    client.post(f"/join/review/{membership.pk}/reinstate/", {"reason": "It is kept now."})
    membership.refresh_from_db()
    assert membership.status == "accepted"
    events = list(Entry.objects.filter(leaf_index__gte=size).values_list("event", flat=True))
    assert events == ["membership.suspended", "membership.reinstated"]
    # reinstating what is not suspended: its status, nothing changed
    again = client.post(f"/join/review/{membership.pk}/reinstate/", {"reason": "Again."})
    assert again.status_code == 409
    assert "cannot be reinstated" in body(again)


def test_an_owner_ends_the_membership_after_confirming(client, cast):
    membership = cast.provider.alliance_memberships.get()
    client.force_login(cast.provider_owner)
    unconfirmed = client.post(f"/join/membership/{membership.pk}/end/", {"reason": "Done."})
    assert unconfirmed.status_code == 400
    assert "Tick the box to confirm" in body(unconfirmed)
    size = Entry.objects.count()
    response = client.post(
        f"/join/membership/{membership.pk}/end/", {"confirm": "on", "reason": "We merged."}
    )
    assert response.status_code == 303
    membership.refresh_from_db()
    assert (membership.status, membership.status_reason) == ("ended", "We merged.")
    assert Entry.objects.get(leaf_index=size).event == "membership.ended"
    assert "ended its membership" in body(client.get(cast.provider.get_absolute_url()))


def test_a_new_version_lapses_who_did_not_endorse_it_and_endorsing_renews(client, cast):
    new = new_principles(cast.editor, note="Remedies are public.", renewal_days=30)
    membership = cast.provider.alliance_memberships.get()
    client.force_login(cast.provider_owner)
    page = body(client.get("/join/membership/"))
    assert f"Version {new.version} changed:</strong> Remedies are public." in page
    assert f"Endorse it by {new.renew_by:%-d %B %Y} or the membership lapses" in page

    assert alliance.memberships_lapse(now=new.renew_by - timedelta(days=1)) == 0
    assert alliance.memberships_lapse(now=new.renew_by + timedelta(days=1)) == 3
    membership.refresh_from_db()
    assert membership.status == "lapsed"
    assert "has a lapsed membership" in body(client.get(cast.provider.get_absolute_url()))

    stale = client.post(
        f"/join/membership/{membership.pk}/endorse/",
        {"endorse": "on", "principles_version": new.version - 1},
    )
    assert stale.status_code == 409
    size = Entry.objects.count()
    response = client.post(
        f"/join/membership/{membership.pk}/endorse/",
        {"endorse": "on", "principles_version": new.version},
    )
    assert response.status_code == 303
    membership.refresh_from_db()
    assert membership.status == "accepted"
    assert Entry.objects.get(leaf_index=size).event == "membership.renewed"
    page = body(client.get("/join/membership/"))
    assert f"version {new.version}</a> on" in page
    assert "changed:</strong>" not in page


def test_the_dashboard_asks_an_owner_to_endorse_a_new_version_until_they_do(client, cast):
    client.force_login(cast.provider_owner)
    assert "The principles have a new version" not in body(client.get("/compacts/dashboard/"))
    new = new_principles(cast.editor, note="Remedies are public.", renewal_days=30)
    page = body(client.get("/compacts/dashboard/"))
    assert "The principles have a new version" in page
    assert f"Version {new.version} of" in page
    assert f"awaits endorsement by {cast.provider.name}." in page
    assert f"not renewed by {new.renew_by:%-d %B %Y} lapses" in page
    membership = cast.provider.alliance_memberships.get()
    client.post(
        f"/join/membership/{membership.pk}/endorse/",
        {"endorse": "on", "principles_version": new.version},
    )
    assert "The principles have a new version" not in body(client.get("/compacts/dashboard/"))


def test_the_daily_task_lapses_memberships(cast, eager_tasks):
    from compacts.tasks import memberships_lapse_task

    principles_current()
    assert memberships_lapse_task.delay().get() == 0
    schedule = settings.CELERY_BEAT_SCHEDULE["lapse-memberships"]
    assert schedule["task"] == "compacts.tasks.memberships_lapse_task"
    assert schedule["schedule"] == 24 * 3600


# the principles ----------------------------------------------------------------------------


def test_the_principles_page_numbers_them_and_lists_the_versions(client, cast):
    first = principles_current()
    new = new_principles(cast.editor)
    html = body(client.get("/principles/"))
    assert f"Version {new.version}, published" in html
    assert "Remedies are public." in html
    assert f'href="/principles/{first.version}/"' in html
    old = body(client.get(f"/principles/{first.version}/"))
    assert first.digest in old
    assert "a newer version is current" in old
    assert f'href="/registry/?q=principles%40{first.version}"' in old
    assert client.get("/principles/99999/").status_code == 404


def test_an_editor_publishes_a_version_from_a_form_prefilled_with_the_current_text(client, cast):
    current = principles_current()
    client.force_login(cast.editor)
    form = body(client.get("/principles/new/"))
    assert FOUNDING[0]["title"] in form
    assert 'name="principle-5-title"' in form  # room for one more
    data = {
        "principle-TOTAL_FORMS": 6,
        "principle-INITIAL_FORMS": 5,
        "principle-MIN_NUM_FORMS": 0,
        "principle-MAX_NUM_FORMS": 20,
        "note": "",
        "renewal_days": 60,
    }
    for n, p in enumerate(FOUNDING):
        data[f"principle-{n}-title"] = p["title"]
        data[f"principle-{n}-text"] = p["text"]
    data["principle-5-title"] = "Open by default"
    data["principle-5-text"] = "What the alliance builds is open unless a community decides."
    refused = client.post("/principles/new/", data)
    assert refused.status_code == 400
    assert "Say what changed in this version." in body(refused)
    assert Principles.objects.count() == 1
    size = Entry.objects.count()
    response = client.post("/principles/new/", {**data, "note": "A sixth principle."})
    assert response.status_code == 303
    new = Principles.objects.current()
    assert response.url == f"/principles/{new.version}/"
    assert new.version == current.version + 1
    assert new.principles[5]["title"] == "Open by default"
    assert new.renewal_days == 60
    assert Entry.objects.get(leaf_index=size).identifier == f"principles@{new.version}"


# where a non-member is refused -------------------------------------------------------------


def test_pages_where_a_non_member_would_publish_say_so_and_the_refusal_explains(client, cast):
    membership = cast.outsider_org.alliance_memberships.get()
    alliance.membership_suspend(user=cast.editor, membership=membership, reason="Checks.")
    offer = services.offer_save(
        user=cast.outsider,
        organisation=cast.outsider_org,
        kind="know_how",
        title="Audit know-how",
        description="How to audit a model.",
        domains=["health"],
        languages=["en"],
        licence="open_permissive",
    )
    client.force_login(cast.outsider)
    notice = (
        "Elsewhere Ltd is suspended: publishing offers and needs and signing compacts are for "
        "members of the alliance."
    )
    for path in (
        f"/compacts/offers/{offer.pk}/",
        f"/compacts/offers/{offer.pk}/edit/",
        cast.outsider_org.get_absolute_url(),
        "/compacts/dashboard/",
    ):
        html = body(client.get(path))
        assert notice in html, path
        assert 'href="/join/">Apply to join</a>' in html, path
    refused = client.post(f"/compacts/offers/{offer.pk}/publish/")
    assert refused.status_code == 403
    assert "Only members of the alliance can" in body(refused)
    assert Offer.objects.get(pk=offer.pk).status == "draft"
    # a member organisation's pages carry no such notice
    client.force_login(cast.provider_owner)
    assert "are for members of the alliance" not in body(client.get("/compacts/dashboard/"))
    assert "is a member" in body(client.get("/compacts/dashboard/"))


def test_a_party_that_is_not_a_member_is_told_where_it_would_sign(client, cast):
    from tests.compacts.conftest import compact_ready

    compact = compact_ready(cast)
    compact = services.compact_transition(
        user=cast.provider_owner, compact=compact, action="propose"
    )
    steward = cast.steward.alliance_memberships.get()
    alliance.membership_end(user=cast.steward_owner, membership=steward, reason="Pause.")
    client.force_login(cast.steward_owner)
    notice = "Nairobi Health Data Trust ended its membership: publishing offers and needs"
    assert notice in body(client.get(compact.get_absolute_url()))
    assert notice in body(client.get(f"{compact.get_absolute_url()}edit/"))
    party = compact.parties.get(organisation=cast.steward)
    refused = client.post(
        f"/compacts/{compact.pk}/act/sign/",
        {"party": party.pk, "revision": compact.revision},
        follow=True,
    )
    # the lifecycle refuses it, back on the compact's page, with the notice and the reason
    assert refused.redirect_chain == [(compact.get_absolute_url(), 303)]
    assert "must be an accepted member of the alliance before signing" in body(refused)
    assert notice in body(refused)
    assert not compact.signatures.filter(party=party).exists()


def test_editors_decide_in_the_admin_too_with_a_reason_where_one_is_needed(client, cast):
    applicant = member_make("amina@example.org")
    org = services.organisation_create(
        user=applicant, name="Kisumu Data Coop", kind="non_profit", country=Country.objects.first()
    )
    membership = alliance.membership_apply(
        user=applicant,
        organisation=org,
        reason=REASON,
        ways=["compacts"],
        endorse=True,
        principles_version=principles_current().version,
    )
    client.force_login(cast.editor)
    changelist = "/admin/compacts/alliancemembership/"
    assert "Kisumu Data Coop" in body(client.get(changelist))
    asked = client.post(
        changelist, {"action": "decline_selected", "_selected_action": [membership.pk]}
    )
    assert asked.status_code == 200
    assert "Reason" in body(asked)
    empty = client.post(
        changelist,
        {"action": "decline_selected", "_selected_action": [membership.pk], "apply": "1"},
    )
    assert "a reason is required" in body(empty)
    membership.refresh_from_db()
    assert membership.status == "applied"
    client.post(
        changelist,
        {
            "action": "decline_selected",
            "_selected_action": [membership.pk],
            "apply": "1",
            "reason": "Not an AI organisation.",
        },
    )
    membership.refresh_from_db()
    assert (membership.status, membership.status_reason) == ("declined", "Not an AI organisation.")
