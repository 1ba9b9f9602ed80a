"""Change over time and the group aggregates in a real browser: a country's trend across the
shipped releases, another release chosen through the form, and the new pages axe-clean at
desktop and phone widths, with screenshots kept as test artefacts."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_overview_browser import serious_violations

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": (1366, 900), "phone": (390, 844)}


def test_a_reader_follows_a_country_over_time_and_chooses_an_earlier_release(
    live_server, committed_demo_data, page, artefacts
):
    from countries.models import Methodology, ScoreSet

    version = Methodology.objects.headline().versions.current()
    backcast = ScoreSet.objects.get(methodology_version=version, release__slug="demo-2026-11")
    current = ScoreSet.objects.get(methodology_version=version, release__slug="world-2026")
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.set_viewport_size({"width": 1366, "height": 900})
    # given Kenya's page
    page.goto(f"{live_server.url}/countries/KEN/")
    trend = page.locator("#trend")
    expect(trend.get_by_role("heading", name="Over time")).to_be_visible()
    # then the trend holds both releases, oldest first, the earlier one a back-cast
    rows = page.locator("#trend-table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("AIMAI demo data, November 2026")
    expect(rows.nth(0)).to_contain_text("back-cast")
    expect(rows.nth(1)).to_contain_text("AIMAI world data 2026")
    expect(rows.nth(1)).to_contain_text("current")
    expect(page.locator("svg.trend-svg")).to_be_visible()
    expect(page.locator("svg.trend-svg circle")).not_to_have_count(0)
    # and the scores shown are the current set's
    expect(page.locator("p").filter(has_text="score in the index")).to_contain_text(current.digest)
    # when the reader chooses the demo release
    page.get_by_label("Show the scores of data release").select_option("demo-2026-11")
    page.get_by_role("button", name="Show", exact=True).click()
    # then the address carries the choice and the page shows that release's back-cast, labelled
    expect(page).to_have_url(re.compile(r"\?release=demo-2026-11"))
    notice = page.locator("#chosen-release")
    expect(notice).to_contain_text("AIMAI demo data, November 2026")
    expect(notice).to_contain_text("back-cast")
    expect(page.locator("p").filter(has_text="score in the index")).to_contain_text(backcast.digest)
    expect(page.locator("#trend-table tr.chosen")).to_contain_text("AIMAI demo data")
    page.screenshot(path=str(artefacts / "country-trend-chosen-release.png"), full_page=True)
    # and back to the current scores
    notice.get_by_role("link", name="Show the current scores").click()
    expect(page.locator("#chosen-release")).to_have_count(0)
    # no request left the site
    assert [url for url in requested if not url.startswith(live_server.url)] == []


def test_a_reader_goes_from_the_groups_to_a_region_and_a_member(
    live_server, committed_demo_data, page
):
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/groups/")
    expect(page.get_by_role("heading", name="Regions and income groups", level=1)).to_be_visible()
    page.locator("#regions-table").get_by_role("link", name="Africa", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Africa")
    expect(page.locator("#group-coverage")).to_contain_text(re.compile(r"\d+ of \d+ members"))
    page.locator("#members").get_by_role("link", name="Kenya", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kenya")


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize(
    "path",
    ["/groups/", "/groups/regions/africa/", "/countries/KEN/?release=demo-2026-11"],
)
def test_the_new_pages_pass_axe_and_fit(
    live_server, committed_demo_data, page, artefacts, path, width
):
    page.set_viewport_size(dict(zip(("width", "height"), WIDTHS[width], strict=True)))
    page.goto(f"{live_server.url}{path}")
    expect(page.locator("h1")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert serious_violations(page) == []
    name = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-")
    page.screenshot(path=str(artefacts / f"{name}-{width}.png"), full_page=True)
