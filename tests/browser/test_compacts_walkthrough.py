"""From sign-up to an active compact, in Chromium, as two new members and an editor would go:
sign up and verify the e-mail, apply to join the alliance for a new organisation (accepted by
an editor on the applications page, the organisation verified in the admin),
publish an offer and a need, see the suggestion with its reasons, start a compact from it,
fill in what proposing requires, propose, sign on both sides, submit, approved by the editor;
the compact is then on the public list. A screenshot at each step."""

import re
from urllib.parse import urlencode

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from compacts.models import Compact, Organisation, Suggestion
from tests.compacts.conftest import editors_group, principles_current

pytestmark = pytest.mark.browser

PASSWORD = "a-long-pass-phrase-42"


@pytest.fixture
def editor(committed_demo_data):
    """An editor of the alliance, and the principles members endorse (a flushed test
    database has lost what the migrations made)."""
    principles_current()
    group = editors_group()
    user = get_user_model().objects.create_user(
        "editor", "editor@example.org", PASSWORD, is_staff=True
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    user.groups.add(group)
    return user


class Walk:
    """Screenshots numbered in the order they were taken."""

    def __init__(self, folder) -> None:
        self.folder, self.count = folder, 0

    def shot(self, page, name: str) -> None:
        self.count += 1
        path = self.folder / f"walkthrough-{self.count:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)


def sign_up(page, base: str, email: str, outbox, walk: Walk, who: str) -> None:
    page.goto(f"{base}/accounts/signup/")
    page.fill("input[name=email]", email)
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    walk.shot(page, f"{who}-sign-up")
    page.get_by_role("button", name="Sign Up").click()
    page.wait_for_url("**/accounts/confirm-email/")
    message = next(m for m in reversed(outbox) if email in m.to)
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", message.body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()
    page.goto(f"{base}/compacts/dashboard/")
    expect(page.get_by_role("heading", name="Your dashboard")).to_be_visible()


def join_with_organisation(
    page, base: str, name: str, country: str, walk: Walk, who: str
) -> Organisation:
    """Apply to join the alliance for a new organisation, endorsing the principles."""
    page.goto(f"{base}/join/")
    page.get_by_label("For a new organisation").check()
    page.get_by_label("Organisation name").fill(name)
    page.get_by_label("Kind of organisation").select_option("non_profit")
    page.get_by_label("Where it is based").select_option(label=country)
    page.get_by_label("Description").fill(f"{name}, a member of the alliance.")
    page.get_by_label("Why you join").fill("To share what we have and find what we lack.")
    page.get_by_label("Co-create mutual-aid compacts").check()
    page.get_by_label("I have read the principles above and endorse them").check()
    walk.shot(page, f"{who}-application-form")
    page.get_by_role("button", name="Apply to join").click()
    page.wait_for_url(lambda url: url.endswith("/join/membership/"))
    expect(page.get_by_text("Applied, awaiting an editor")).to_be_visible()
    return Organisation.objects.get(name=name)


def editor_accepts_and_verifies(page, base: str, organisation: Organisation) -> None:
    """The editor accepts the application, then verifies the organisation in the admin."""
    page.goto(f"{base}/join/review/")
    application = page.locator("article.panel").filter(
        has=page.get_by_role("heading", name=organisation.name)
    )
    application.get_by_role("button", name="Accept").click()
    expect(page.get_by_role("cell", name=re.compile(organisation.name))).to_be_visible()
    admin_action(page, base, "organisation", organisation.pk, "verify_selected", organisation.name)
    expect(page.get_by_text(f"{organisation.name}: verified.")).to_be_visible()


def admin_action(page, base: str, model: str, pk: int, action: str, search: str) -> None:
    """Run an admin action on one row, found by searching (a long list has several pages)."""
    page.goto(f"{base}/admin/compacts/{model}/?{urlencode({'q': search})}")
    page.check(f"input[name=_selected_action][value='{pk}']")
    page.select_option("select[name=action]", action)
    page.get_by_role("button", name="Go").click()


def test_from_sign_up_to_an_active_compact(
    live_server, editor, browser, artefacts, mailoutbox, eager_tasks, settings
):
    base, walk = live_server.url, Walk(artefacts)
    settings.SITE_URL = base  # the links in e-mail lead to the site served here
    ada, wanjiru, admin = (browser.new_context() for _ in range(3))
    ada_page, wanjiru_page, admin_page = ada.new_page(), wanjiru.new_page(), admin.new_page()

    # the editor logs in to the admin
    admin_page.goto(f"{base}/admin/login/")  # leads to the site's log-in
    admin_page.fill("input[name=login]", "editor@example.org")
    admin_page.fill("input[name=password]", PASSWORD)
    admin_page.get_by_role("button", name="Sign In").click()
    expect(admin_page.get_by_text("Members and compacts")).to_be_visible()

    # a provider signs up, creates its organisation, which the editor verifies
    sign_up(ada_page, base, "ada@provider.example", mailoutbox, walk, "provider")
    provider = join_with_organisation(
        ada_page, base, "Open Compute Cooperative", "Germany (DEU)", walk, "provider"
    )
    editor_accepts_and_verifies(admin_page, base, provider)
    walk.shot(admin_page, "editor-verifies-provider")

    # the provider, now a member, publishes an offer of compute
    ada_page.goto(f"{base}{provider.get_absolute_url()}")
    expect(ada_page.get_by_text("✓ Verified").first).to_be_visible()
    ada_page.get_by_role("link", name="New offer").click()
    ada_page.fill("input[name=title]", "A100 GPU-hours for health models")
    ada_page.fill("textarea[name=description]", "Idle GPU time on our cluster in Frankfurt.")
    ada_page.check("input[name=kind][value=compute]")
    expect(ada_page.locator("fieldset[data-kind=model]")).to_be_hidden()
    ada_page.check("input[name=domains][value=health]")
    ada_page.check("input[name=domains][value=language]")
    ada_page.fill("input[name=languages]", "sw, en")
    ada_page.check("input[name=licence][value=open_permissive]")
    ada_page.fill(
        "textarea[name=sovereignty_terms]", "Models trained stay open; the data stays the trust's."
    )
    ada_page.check("input[name=lacks][value=local_data]")
    ada_page.fill("input[name=amount]", "5000")
    ada_page.fill("input[name=unit]", "GPU-hours per month")
    walk.shot(ada_page, "provider-offer-form")
    ada_page.get_by_role("button", name="Save the draft").click()
    ada_page.get_by_role("button", name="Publish").click()
    expect(ada_page.locator(".status-line .status")).to_have_text("Published")
    walk.shot(ada_page, "provider-offer-published")

    # a data steward signs up, joins for its organisation (accepted, verified), publishes a need
    sign_up(wanjiru_page, base, "wanjiru@steward.example", mailoutbox, walk, "steward")
    steward = join_with_organisation(
        wanjiru_page, base, "Nairobi Health Data Trust", "Kenya (KEN)", walk, "steward"
    )
    editor_accepts_and_verifies(admin_page, base, steward)
    wanjiru_page.goto(f"{base}{steward.get_absolute_url()}")
    wanjiru_page.get_by_role("link", name="New need").click()
    wanjiru_page.fill("input[name=title]", "Compute for a Swahili clinical speech model")
    wanjiru_page.fill("textarea[name=description]", "We hold the recordings, not the GPUs.")
    wanjiru_page.select_option("select[name=country]", label="Kenya (KEN)")
    wanjiru_page.check("input[name=domains][value=health]")
    wanjiru_page.fill("input[name=languages]", "sw")
    wanjiru_page.check("input[name=wants][value=compute]")
    wanjiru_page.check("input[name=brings][value=local_data]")
    wanjiru_page.fill("textarea[name=brings_detail]", "2,000 hours of consented clinical speech")
    wanjiru_page.check("input[name=licences][value=open_permissive]")
    walk.shot(wanjiru_page, "steward-need-form")
    wanjiru_page.get_by_role("button", name="Save the draft").click()
    wanjiru_page.get_by_role("button", name="Publish").click()
    expect(wanjiru_page.locator(".status-line .status")).to_have_text("Published")

    # publishing queued the recompute (run in-process here): the suggestion and its reasons
    assert Suggestion.objects.filter(offer__organisation=provider).exists()
    wanjiru_page.goto(f"{base}/compacts/dashboard/")
    suggestion = wanjiru_page.locator("article.suggestion").first
    expect(suggestion).to_contain_text("A100 GPU-hours for health models")
    expect(suggestion).to_contain_text("Offers compute, which the need asks for")
    expect(suggestion).to_contain_text("Complementarity")
    expect(suggestion).to_contain_text("strong")
    walk.shot(wanjiru_page, "steward-dashboard-suggestion")

    # one click starts a compact; then what proposing requires
    suggestion.get_by_role("button", name="Start a compact").click()
    expect(wanjiru_page.locator("#missing")).to_contain_text("at least one outcome")
    compact = Compact.objects.get()
    walk.shot(wanjiru_page, "steward-compact-started")
    wanjiru_page.get_by_role("link", name="Edit terms, parties and outcomes").click()
    terms = {
        "data_steward": "The Nairobi Health Data Trust holds the recordings for the patients.",
        "data_residency": "Recordings never leave Kenya; training runs on hardware in Kenya.",
        "misuse_prevention": "No use for surveillance or insurance pricing.",
        "exit_and_redress": "Either party may exit on 90 days' notice; disputes to the alliance.",
    }
    for name, text in terms.items():
        wanjiru_page.fill(f"textarea[name={name}]", text)
    wanjiru_page.get_by_role("button", name="Save the terms").click()
    expect(wanjiru_page.get_by_text("Terms saved.")).to_be_visible()
    wanjiru_page.fill("input[name=outcome-indicator]", "Word error rate on clinical Swahili (%)")
    wanjiru_page.fill("input[name=outcome-baseline]", "38")
    wanjiru_page.fill("input[name=outcome-target]", "15")
    wanjiru_page.fill("input[name=outcome-due]", "2027-12-31")
    wanjiru_page.get_by_role("button", name="Add the outcome").click()
    expect(wanjiru_page.get_by_text("The outcome is added.")).to_be_visible()
    walk.shot(wanjiru_page, "steward-compact-edited")
    wanjiru_page.goto(f"{base}/compacts/{compact.pk}/")
    expect(wanjiru_page.locator("#missing")).to_have_count(0)

    # propose, and both sign; then submit for review
    wanjiru_page.get_by_role("button", name="Propose").click()
    wanjiru_page.get_by_role("button", name="Sign for Nairobi Health Data Trust").click()
    expect(wanjiru_page.locator(".status-line .status")).to_have_text("Proposed")
    walk.shot(wanjiru_page, "steward-signed")
    ada_page.goto(f"{base}/compacts/dashboard/")
    expect(ada_page.get_by_text("Signatures awaited")).to_be_visible()
    ada_page.get_by_role("link", name=compact.title).first.click()
    ada_page.get_by_role("button", name="Sign for Open Compute Cooperative").click()
    expect(ada_page.locator(".status-line .status")).to_have_text("Signed by every party")
    ada_page.get_by_role("button", name="Submit for review").click()
    expect(ada_page.locator(".status-line .status")).to_have_text("Under review")
    walk.shot(ada_page, "provider-submitted")

    # the editor reads the safeguards and approves
    admin_page.goto(f"{base}/admin/compacts/compact/{compact.pk}/change/")
    expect(admin_page.get_by_text("No use for surveillance or insurance pricing.")).to_be_visible()
    walk.shot(admin_page, "editor-reviews-safeguards")
    admin_action(admin_page, base, "compact", compact.pk, "approve", compact.title)
    expect(admin_page.get_by_text("approved, now active")).to_be_visible()
    compact.refresh_from_db()
    assert compact.status == "active"

    # public record: on the list, for anyone
    public = browser.new_page()
    public.goto(f"{base}/compacts/")
    expect(public.get_by_role("link", name=compact.title)).to_be_visible()
    walk.shot(public, "public-list")
    public.get_by_role("link", name=compact.title).click()
    expect(public.locator(".status-line .status")).to_have_text("Active")
    expect(public.get_by_role("cell", name="an editor").first).to_be_visible()
    walk.shot(public, "public-compact")
    public.close()
    for context in (ada, wanjiru, admin):
        context.close()
