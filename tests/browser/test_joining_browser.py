"""Joining in Chromium: a person reads the principles, applies as an individual, and finds the
application on their memberships page; the form passes axe at both widths."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_overview_browser import serious_violations
from tests.browser.test_pages_accessibility import WIDTHS
from tests.compacts.conftest import member_make, principles_current

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", list(WIDTHS))
def test_a_person_applies_to_join_in_the_browser(
    live_server, committed_demo_data, page, artefacts, width
):
    from compacts.alliance.models import AllianceMembership
    from countries.models import Country

    principles = principles_current()
    member_make("amina@example.org")
    page.set_viewport_size(dict(zip(("width", "height"), WIDTHS[width], strict=True)))
    page.goto(f"{live_server.url}/accounts/login/?next=/join/")
    page.fill("input[name=login]", "amina@example.org")
    page.fill("input[name=password]", "correct horse battery")
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(lambda url: url.endswith("/join/"))
    expect(page.get_by_role("heading", name="Join the alliance")).to_be_visible()
    expect(page.get_by_text(principles.principles[0]["title"])).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert serious_violations(page) == []
    page.screenshot(path=str(artefacts / f"join-{width}.png"), full_page=True)

    page.get_by_label("As an individual").check()
    page.get_by_label("Your name").fill("Amina Otieno")
    page.get_by_label("Your country").select_option(str(Country.objects.get(iso3="KEN").pk))
    page.get_by_label("Why you join").fill("To help build Swahili speech models.")
    page.get_by_label("Co-create mutual-aid compacts").check()
    page.get_by_label("I have read the principles above and endorse them").check()
    page.get_by_role("button", name="Apply to join").click()
    page.wait_for_url(lambda url: url.endswith("/join/membership/"))
    expect(page.get_by_text("Applied, awaiting an editor")).to_be_visible()
    assert serious_violations(page) == []
    membership = AllianceMembership.objects.get(organisation__name="Amina Otieno")
    assert membership.status == "applied"
    assert membership.listed is False
