"""Joining the alliance, in Chromium, from application to renewed endorsement: a person and an
organisation apply and endorse the principles; an editor declines the person (with the reason,
which the person reads with the way to appeal) and accepts and verifies the organisation; the
organisation is in the member directory with its endorsement, joins a regional cluster and
publishes an offer; a new version of the principles asks it to endorse again, which it does.

Each step is photographed at desktop and phone width; on the alliance's pages axe finds no
serious or critical violation and a phone shows no sideways scrolling (a summary per page and
width goes to alliance-axe.txt)."""

import pytest
from playwright.sync_api import expect

from compacts import services
from compacts.alliance import clusters
from compacts.alliance.models import AllianceMembership, Cluster, Principles
from compacts.models import Offer, Organisation
from countries.models import Country
from tests.browser.recorder import Walk, log_in, viewport
from tests.browser.test_compacts_walkthrough import (
    editor_accepts_and_verifies,
    join_with_organisation,
)
from tests.compacts.conftest import alliance_join, editors_group, member_make, principles_current

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"  # member_make's
DECLINED = "We could not confirm the research group named in the application."
ORGANISATION = "Lake Victoria Compute Cooperative"
CLUSTER = "East African AI Commons"


def sign_in(context, base: str, email: str):
    page = context.new_page()
    page.set_viewport_size(viewport("desktop"))
    return log_in(page, base, email, PASSWORD)


@pytest.fixture
def founded(committed_demo_data):
    """The principles, an editor, and a member in Uganda that proposed an East African cluster
    (awaiting the editor's decision)."""
    principles_current()
    editor = member_make("editor@example.org")
    editor.is_staff = True
    editor.save()
    editor.groups.add(editors_group())
    founder = member_make("grace@kampala.example")
    uganda = Country.objects.get(iso3="UGA")
    trust = services.organisation_create(
        user=founder, name="Kampala Language Data Trust", kind="non_profit", country=uganda
    )
    alliance_join(trust, founder, editor)
    services.organisation_verify(user=editor, organisation=trust)
    clusters.cluster_propose(
        user=founder,
        organisation=trust,
        name=CLUSTER,
        description="Shared compute and language data for East African languages.",
        region_kind="subregion",
        region_name=uganda.subregion,
        domains=["language", "health"],
    )
    return editor


def test_an_individual_and_an_organisation_join_the_alliance(
    live_server, founded, browser, artefacts, eager_tasks
):
    base, walk = live_server.url, Walk(artefacts, "alliance")
    contexts = [browser.new_context() for _ in range(4)]
    member_make("amina@example.org")
    member_make("kojo@victoria.example")
    amina = sign_in(contexts[0], base, "amina@example.org")
    kojo = sign_in(contexts[1], base, "kojo@victoria.example")
    editor = sign_in(contexts[2], base, "editor@example.org")
    public = contexts[3].new_page()
    public.set_viewport_size(viewport("desktop"))

    # a person applies as an individual, endorsing the principles
    amina.goto(f"{base}/join/")
    expect(amina.get_by_role("heading", name="Join the alliance")).to_be_visible()
    amina.get_by_label("As an individual").check()
    amina.get_by_label("Your name").fill("Amina Otieno")
    amina.get_by_label("Your country").select_option(label="Kenya (KEN)")
    amina.get_by_label("Why you join").fill("To help build Swahili speech models.")
    amina.get_by_label("Co-create mutual-aid compacts").check()
    amina.get_by_label("I have read the principles above and endorse them").check()
    walk.shot(amina, "individual-join-form")
    amina.get_by_role("button", name="Apply to join").click()
    amina.wait_for_url(lambda url: url.endswith("/join/membership/"))
    expect(amina.get_by_text("Applied, awaiting an editor")).to_be_visible()
    walk.shot(amina, "individual-applied")

    # an organisation applies, endorsing them too
    organisation = join_with_organisation(kojo, base, ORGANISATION, "Kenya (KEN)", walk, "org")
    walk.shot(kojo, "organisation-applied")
    for membership in AllianceMembership.objects.filter(
        organisation__name__in=["Amina Otieno", ORGANISATION]
    ):
        assert membership.status == "applied"
        assert membership.endorsements.get().principles.version == 1

    # the editor declines the person, saying why, and accepts and verifies the organisation
    editor.goto(f"{base}/join/review/")
    walk.shot(editor, "editor-applications")
    application = editor.locator("article.panel").filter(
        has=editor.get_by_role("heading", name="Amina Otieno")
    )
    application.get_by_label("Why it is declined").fill(DECLINED)
    application.get_by_role("button", name="Decline").click()
    expect(editor.get_by_text("Amina Otieno: declined.")).to_be_visible()
    editor_accepts_and_verifies(editor, base, organisation)
    walk.shot(editor, "editor-verifies-organisation", check=False)
    editor.goto(f"{base}/join/review/")
    expect(editor.get_by_text("No application awaits a decision.")).to_be_visible()
    walk.shot(editor, "editor-members")

    # the person reads why, and how to appeal
    amina.goto(f"{base}/join/membership/")
    expect(amina.get_by_text("Why it was declined:")).to_be_visible()
    expect(amina.get_by_text(DECLINED)).to_be_visible()
    expect(amina.get_by_role("link", name="file a concern about it")).to_be_visible()
    walk.shot(amina, "individual-declined")

    # the organisation is in the directory, with its endorsement; the person is not
    public.goto(f"{base}/members/")
    expect(public.get_by_role("link", name=ORGANISATION)).to_be_visible()
    expect(public.get_by_role("link", name="Amina Otieno")).to_have_count(0)
    walk.shot(public, "members")
    public.get_by_role("link", name=ORGANISATION).click()
    expect(public.get_by_role("heading", name=ORGANISATION)).to_be_visible()
    expect(public.locator("#endorsement")).to_contain_text("Endorsed version 1")
    walk.shot(public, "member-page")

    # the editor approves the proposed cluster; the organisation joins it
    editor.goto(f"{base}/clusters/")
    walk.shot(editor, "editor-clusters-desk")
    editor.get_by_role("button", name=f"Approve {CLUSTER}").click()
    expect(editor.get_by_text(f"{CLUSTER} is approved and open to members.")).to_be_visible()
    kojo.goto(f"{base}/clusters/")
    walk.shot(kojo, "clusters")
    kojo.get_by_role("link", name=CLUSTER).click()
    walk.shot(kojo, "cluster-page")
    kojo.get_by_role("button", name=f"Join with {ORGANISATION}").click()
    expect(kojo.get_by_text(f"{ORGANISATION} joined {CLUSTER}.")).to_be_visible()
    members = kojo.locator("ul.items").first
    expect(members.get_by_role("link", name=ORGANISATION)).to_be_visible()
    expect(kojo.get_by_role("button", name=f"Leave with {ORGANISATION}")).to_be_visible()
    walk.shot(kojo, "organisation-in-cluster")
    cluster = Cluster.objects.get(name=CLUSTER)
    assert cluster.members.filter(organisation=organisation, left_at=None).exists()

    # the organisation publishes an offer
    kojo.goto(f"{base}{organisation.get_absolute_url()}")
    kojo.get_by_role("link", name="New offer").click()
    kojo.fill("input[name=title]", "GPU-hours for East African speech models")
    kojo.fill("textarea[name=description]", "Idle GPU time on our cluster in Kisumu.")
    kojo.check("input[name=kind][value=compute]")
    kojo.check("input[name=domains][value=language]")
    kojo.fill("input[name=languages]", "sw, luo")
    kojo.check("input[name=licence][value=open_permissive]")
    kojo.fill("textarea[name=sovereignty_terms]", "Models trained stay open; the data stays local.")
    kojo.check("input[name=lacks][value=local_data]")
    kojo.fill("input[name=amount]", "2000")
    kojo.fill("input[name=unit]", "GPU-hours per month")
    walk.shot(kojo, "organisation-offer-form", check=False)
    kojo.get_by_role("button", name="Save the draft").click()
    kojo.get_by_role("button", name="Publish").click()
    expect(kojo.locator(".status-line .status")).to_have_text("Published")
    walk.shot(kojo, "organisation-offer-published", check=False)
    assert Offer.objects.get(organisation=organisation).status == "published"
    public.reload()
    expect(
        public.get_by_role("link", name="GPU-hours for East African speech models")
    ).to_be_visible()
    walk.shot(public, "member-page-with-offer")

    # the editor publishes version 2 of the principles
    editor.goto(f"{base}/principles/")
    walk.shot(editor, "principles")
    editor.goto(f"{base}/principles/new/")
    extra = len(principles_current().principles)  # the empty form, for a new principle
    editor.fill(f"input[name=principle-{extra}-title]", "Languages first")
    editor.fill(
        f"textarea[name=principle-{extra}-text]",
        "Members build for the languages their people speak, and share what they learn.",
    )
    editor.get_by_label("What changed").fill("A principle on the languages we build for.")
    walk.shot(editor, "editor-new-principles")
    editor.get_by_role("button", name="Publish").click()
    editor.wait_for_url(lambda url: url.endswith("/principles/2/"))
    expect(editor.get_by_text("Version 2 is published and logged")).to_be_visible()
    walk.shot(editor, "principles-version-2")
    assert Principles.objects.current().version == 2

    # the member is asked to endorse again, and does
    public.reload()
    expect(public.locator("#endorsement")).to_contain_text("Endorsed version 1")
    kojo.goto(f"{base}/join/membership/")
    notice = kojo.locator(".notice")
    expect(notice).to_contain_text("Version 2 changed:")
    expect(notice).to_contain_text("A principle on the languages we build for.")
    walk.shot(kojo, "organisation-asked-to-endorse")
    notice.get_by_label("I have read version 2 of the principles and endorse it").check()
    notice.get_by_role("button", name="Endorse version 2").click()
    expect(
        kojo.get_by_text(f"{ORGANISATION} endorsed version 2 of the principles.")
    ).to_be_visible()
    expect(kojo.locator(".notice")).to_have_count(0)
    walk.shot(kojo, "organisation-endorsed-again")
    public.reload()
    expect(public.locator("#endorsement")).to_contain_text("Endorsed version 2")
    walk.shot(public, "member-page-endorsed-again")
    membership = AllianceMembership.objects.get(organisation=organisation)
    assert membership.status == "accepted"
    assert sorted(e.principles.version for e in membership.endorsements.all()) == [1, 2]
    assert Organisation.objects.get(name="Amina Otieno").alliance_memberships.get().status == (
        "declined"
    )

    (artefacts / "alliance-axe.txt").write_text(walk.summary() + "\n")
    for context in contexts:
        context.close()
    checked = {(path, width) for path, _, width, _, _ in walk.checked}
    assert len(checked) >= 20, sorted(checked)
    assert walk.problems() == []
