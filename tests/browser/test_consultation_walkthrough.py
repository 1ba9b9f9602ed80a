"""The public consultation, in Chromium, from a shared variant to a published version: a visitor
reweighs the index in the explorer and shares the address; a member of the alliance opens it and
proposes the change, whose rank shifts are shown as not published; another member comments; the
comment period closes; an editor adopts the proposal as a new version, which is published and
recomputed; the methodology's changelog links the version back to the proposal and its decision.

Each main page is photographed at desktop and phone width, with axe finding no serious or
critical violation and the phone showing no sideways scrolling (a summary per page and width
goes to consultation-axe.txt); no page reports a Content-Security-Policy violation."""

import re

import pytest
from playwright.sync_api import expect

from compacts.consultation.models import MethodologyProposal, ProposalStatus
from compacts.consultation.services import proposals_close
from compacts.consultation.shifts import headline_score_set, movers_of, proposal_prepare
from countries.models import Country, MethodologyVersion
from tests.browser.recorder import Walk, Watched, log_in
from tests.compacts.conftest import cast  # noqa: F401 (a fixture)
from tests.compacts.proposal_helpers import period_over

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"  # member_make's
TITLE = "Weigh burdens out and leave ODA aside"
RATIONALE = "Burden data are thin for small states, and ODA measures donors more than capacity."
COMMENT = "Kenya's burden data are recent; the changelog should say when burdens come back."
REASON = "The comments agree: burdens return to the index when their data improve."
VERSION = "2.1"
STATE = "d.burden=0&off=oda_gni"


def sign_in(watched: Watched, context, base: str, email: str):
    return log_in(watched.page(context), base, email, PASSWORD)


@pytest.fixture
def members(committed_demo_data, request):
    """The cast of the compacts tests (members of the alliance and an editor), made over the
    demo data committed for the live server."""
    return request.getfixturevalue("cast")


def test_a_shared_variant_is_proposed_discussed_adopted_and_published(
    live_server, members, browser, artefacts, eager_tasks
):
    base, walk, watched = live_server.url, Walk(artefacts, "consultation"), Watched()
    contexts = [watched.context(browser) for _ in range(4)]
    before = headline_score_set()
    visitor = watched.page(contexts[0])

    # (1) a visitor reweighs the index in the explorer, leaves an indicator out, and shares it
    visitor.goto(f"{base}/methodology/explore/")
    expect(visitor.locator("#explore-label")).to_contain_text("Not published")
    table = visitor.locator("#explore-table tbody").inner_text()
    visitor.get_by_label("Weight of Burden in AIMAI (slider)").fill("0")
    expect(visitor.get_by_label("Weight of Burden in AIMAI", exact=True)).to_have_value("0")
    visitor.locator("#off-oda_gni").check()
    expect(visitor).to_have_url(re.compile(r"/methodology/explore/\?d\.burden=0&off=oda_gni$"))
    expect(visitor.locator("#explore-changes")).to_contain_text("Indicator oda_gni removed")
    expect(visitor.locator("#explore-status")).to_have_text(
        re.compile(r"^\d+ countries changed rank\.$")
    )
    assert visitor.locator("#explore-table tbody").inner_text() != table
    shared = visitor.get_by_label("Link to this variant").input_value()
    assert shared == visitor.url
    walk.shot(visitor, "explorer")
    watched.blocked(visitor)

    # (2) a member opens the shared address in their own browser and proposes the change
    ada = sign_in(watched, contexts[1], base, members.provider_owner.email)
    ada.goto(shared)
    expect(ada.get_by_label("Weight of Burden in AIMAI", exact=True)).to_have_value("0")
    expect(ada.locator("#off-oda_gni")).to_be_checked()
    watched.blocked(ada)
    ada.get_by_role("link", name="Propose this change").click()
    ada.wait_for_url(re.compile(r"/methodology/proposals/new/\?d\.burden=0&off=oda_gni$"))
    expect(ada.locator("#preview-changes")).to_contain_text("burden")
    expect(ada.locator("#preview-changes")).to_contain_text("oda_gni")
    expect(ada.locator("#movers caption .tag")).to_have_text("not published")
    biggest = movers_of(proposal_prepare(state=STATE).shifts, 1)[0]
    biggest_name = Country.objects.get(iso3=biggest["country"]).name
    expect(ada.locator("#movers tbody tr").first).to_contain_text(biggest_name)
    form = ada.locator("#proposal-form")
    expect(form.get_by_label("Proposed for")).to_have_value(str(members.provider.pk))
    form.get_by_label("Title").fill(TITLE)
    form.get_by_label("Why").fill(RATIONALE)
    form.get_by_label("Days open for comment").fill("21")
    walk.shot(ada, "proposal-create")
    watched.blocked(ada)
    ada.locator("#proposal-submit").click()
    ada.wait_for_url(re.compile(r"/methodology/proposals/\d+/$"))
    proposal = MethodologyProposal.objects.get(title=TITLE)
    assert proposal.explorer_state == STATE
    assert proposal.period_days == 21
    assert proposal.score_set == before
    expect(ada.get_by_text(f"Proposal {proposal.pk} is open for comment until")).to_be_visible()
    expect(ada.locator("#proposal-status")).to_have_text("Open for comment")
    expect(ada.locator("#change-lines")).to_contain_text("oda_gni")
    expect(ada.locator("#shifts strong").first).to_have_text("not published")
    expect(ada.locator("#movers caption .tag")).to_have_text("not published")
    assert movers_of(proposal.shifts, 1)[0] == biggest
    assert biggest["moved"]
    expect(ada.locator("#movers tbody tr").first).to_contain_text(biggest_name)
    expect(ada.locator("#open-in-explorer")).to_have_attribute(
        "href", f"/methodology/explore/?{STATE}"
    )
    walk.shot(ada, "proposal-opened")
    watched.blocked(ada)

    # (3) another member supports and comments
    wanjiru = sign_in(watched, contexts[2], base, members.steward_owner.email)
    wanjiru.goto(f"{base}{proposal.get_absolute_url()}")
    wanjiru.locator("#support-button").click()
    expect(wanjiru.locator("#support-count")).to_have_text("1 account")
    comment = wanjiru.locator("#comment-form")
    expect(comment.get_by_label("Comment for")).to_have_value(str(members.steward.pk))
    comment.get_by_label("Your comment").fill(COMMENT)
    wanjiru.locator("#comment-submit").click()
    expect(wanjiru.get_by_text("Your comment is published.")).to_be_visible()
    comments = wanjiru.locator("#comments ol.comments")
    expect(comments).to_contain_text(COMMENT)
    expect(comments).to_contain_text(members.steward.name)
    walk.shot(wanjiru, "proposal-commented")
    watched.blocked(wanjiru)

    # (4) the comment period ends, and the scheduled service closes it
    period_over(proposal)
    assert [closed.pk for closed in proposals_close()] == [proposal.pk]
    wanjiru.reload()
    expect(wanjiru.locator("#proposal-status")).to_contain_text("Comments closed")
    expect(wanjiru.locator("#comment-form")).to_have_count(0)
    expect(wanjiru.get_by_text("The comment period has closed.")).to_be_visible()
    watched.blocked(wanjiru)

    # (5) an editor adopts it as a new version: published, and the headline recomputed
    editor = sign_in(watched, contexts[3], base, members.editor.email)
    editor.goto(f"{base}{proposal.get_absolute_url()}")
    decision = editor.locator("#decision-form")
    decision.get_by_label("Adopt: publish the proposal as a new version").check()
    decision.get_by_label("Reason (published)").fill(REASON)
    decision.get_by_label("New version number").fill(VERSION)
    walk.shot(editor, "proposal-deciding")
    watched.blocked(editor)
    editor.locator("#decision-submit").click()
    editor.wait_for_url(re.compile(rf"/methodology/proposals/{proposal.pk}/#decision$"))
    expect(editor.locator("#decision-outcome")).to_contain_text("Adopted")
    expect(editor.locator("#decision-reason")).to_have_text(REASON)
    expect(editor.locator("#adopted-version")).to_contain_text(f"version {VERSION}")
    expect(editor.locator("#decision-form")).to_have_count(0)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.ADOPTED
    adopted = proposal.adopted_version
    assert (adopted.version, adopted.is_published) == (VERSION, True)
    expect(editor.locator("#adopted-version")).to_contain_text(adopted.digest)
    walk.shot(editor, "proposal-decided")
    watched.blocked(editor)
    # the new version is the headline's current one, and its ranks are the stored shifts'
    headline = headline_score_set()
    assert headline != before
    assert headline.methodology_version == adopted
    current = MethodologyVersion.objects.filter(methodology=adopted.methodology).current()
    assert current == adopted
    published = {row["country"]: row["rank"] for row in headline.outputs["scores"]}
    assert published == {row["country"]: row["rank"] for row in proposal.shifts}

    # (6) the public reads the proposals and the changelog, which links back to the decision
    visitor.goto(f"{base}/methodology/proposals/")
    row = visitor.locator("#proposals tbody tr").filter(has_text=TITLE)
    expect(row).to_contain_text("Adopted")
    walk.shot(visitor, "proposals-list")
    watched.blocked(visitor)
    visitor.goto(f"{base}/methodology/")
    slug = adopted.methodology.slug
    expect(visitor.locator(f"#proposals-link-{slug}")).to_have_attribute(
        "href", "/methodology/proposals/"
    )
    item = visitor.locator(f'[id="version-{slug}-{VERSION}"]')
    expect(item).to_contain_text(f"proposal {proposal.pk}")
    expect(item.get_by_role("link", name=f"proposal {proposal.pk}")).to_have_attribute(
        "href", proposal.get_absolute_url()
    )
    walk.shot(visitor, "methodology")
    watched.blocked(visitor)
    item.get_by_role("link", name="the editors’ decision").click()
    visitor.wait_for_url(re.compile(rf"/methodology/proposals/{proposal.pk}/#decision$"))
    expect(visitor.locator("#decision-outcome")).to_contain_text("Adopted")
    expect(visitor.locator("#adopted-version")).to_contain_text(f"version {VERSION}")
    expect(visitor.locator("#comments")).to_contain_text(COMMENT)
    expect(visitor.locator("#decision-form")).to_have_count(0)
    visitor.locator("#shifts details summary").click()  # every country's shift, on show
    expect(visitor.locator("#all-shifts")).to_be_visible()
    walk.shot(visitor, "proposal-public")
    watched.blocked(visitor)
    # and the changelog item's own link leads back to the version
    visitor.locator("#adopted-version a").first.click()
    visitor.wait_for_url(re.compile(rf"/methodology/#version-{slug}-"))
    watched.blocked(visitor)

    (artefacts / "consultation-axe.txt").write_text(walk.summary() + "\n")
    for context in contexts:
        context.close()
    pages = {name for _, name, _, _, _ in walk.checked}
    assert {"explorer", "proposal-create", "proposal-decided", "proposals-list"} <= pages
    assert "methodology" in pages
    assert watched.problems == []
    assert walk.problems() == []
