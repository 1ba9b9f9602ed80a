"""The key findings and the country search in Chromium: the findings on / show the API's
numbers (fetched from the live server in the test), their links lead to what shows them, the
search opens a country with and without script, and the pages pass axe at desktop and phone
widths with no request leaving the site; screenshots kept as test artefacts."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.offline import requests_elsewhere
from tests.browser.test_overview_browser import serious_violations

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": (1366, 900), "phone": (390, 844)}


def number(text: str) -> float:
    return float(text.replace("%", "").replace("−", "-").strip())


def test_the_key_findings_show_the_api_numbers(live_server, committed_demo_data, page):
    api = page.request.get(f"{live_server.url}/api/v1/findings/")
    assert api.ok
    body = api.json()
    findings = body["findings"]
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/")
    section = page.locator("#key-findings")
    expect(section).to_be_visible()
    expect(section).to_contain_text(body["score_set"]["digest"][:12])

    def shown(name: str) -> str:
        return section.locator(f"[data-finding='{name}']").inner_text()

    # the concentration: the top's share of the summed capability scores, in per cent
    share = findings["concentration"]["share"] * 100
    assert number(shown("concentration-share")) == pytest.approx(share, abs=0.05)
    expect(section.locator("#finding-concentration")).to_contain_text(
        f"The {findings['concentration']['top_n']} countries with the highest capability"
    )
    # the most capable with a negative AIMAI, each named
    negative = findings["most_capable"]
    assert int(shown("top-negative")) == negative["negative_count"]
    for country in negative["negative"]:
        expect(section.locator("#finding-negative")).to_contain_text(country["name"])
    # the leaders, in the API's order, with their AIMAI
    leaders = section.locator("#finding-leaders [data-finding^='leader-']")
    assert [
        code.removeprefix("leader-")
        for code in leaders.evaluate_all("els => els.map(e => e.dataset.finding)")
    ] == [leader["country"] for leader in findings["leaders"]]
    for leader in findings["leaders"]:
        assert number(shown(f"leader-{leader['country']}")) == pytest.approx(
            leader["aimai"], abs=0.05
        )
    assert int(shown("bridgers")) == findings["bridgers"]
    # every region and income group: its count, mean and range
    for field, groups in (
        ("region", findings["regions"]),
        ("income_group", findings["income_groups"]),
    ):
        rows = section.locator(f"#findings-{field} tbody tr")
        expect(rows).to_have_count(len(groups))
        for position, group in enumerate(groups):
            row = rows.nth(position)
            assert row.get_attribute("data-group") == group["label"]
            assert int(row.locator("[data-value='count']").inner_text()) == group["count"]
            for key in ("mean", "minimum", "maximum"):
                value = number(row.locator(f"[data-value='{key}']").inner_text())
                assert value == pytest.approx(group[key], abs=0.05), (group["label"], key)
    # what changed since the previous score set
    changes = findings["changes"]
    assert body["previous_score_set"] is not None
    assert int(shown("added")) == len(changes["added"])
    if changes["compared"]:
        assert int(shown("class-changes")) == len(changes["class_changes"])
    else:
        expect(section.locator("#finding-changes")).to_contain_text("none was scored in both")
    for mover in changes["score_movers"]:
        expect(section.locator("#finding-changes")).to_contain_text(mover["name"])


def test_each_finding_leads_to_what_shows_it(live_server, committed_demo_data, page):
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/")
    page.locator("#finding-concentration a[href='#concentration-title']").click()
    expect(page).to_have_url(re.compile(r"#concentration-title$"))
    expect(page.locator("#concentration-title")).to_be_in_viewport()
    page.locator("#finding-leaders a[href='#scatter-title']").click()
    expect(page.locator("#scatter-title")).to_be_in_viewport()
    # a region's row filters the table to it
    page.locator("#findings-region a", has_text="Africa").click()
    expect(page).to_have_url(re.compile(r"region=Africa#scores-table$"))
    african = page.locator("#findings-region tr[data-group='Africa'] [data-value='count']")
    expect(page.locator("#scores tbody tr")).to_have_count(int(african.inner_text()))
    # a leader opens its country
    first = page.locator("#finding-leaders a[href^='/countries/']").first
    name = first.inner_text()
    first.click()
    expect(page.locator("h1")).to_contain_text(name)


@pytest.mark.parametrize("width", list(WIDTHS))
def test_the_home_page_with_findings_and_search_passes_axe_and_fits(
    live_server, committed_demo_data, page, artefacts, width
):
    outside = requests_elsewhere(page, live_server.url)
    page.set_viewport_size(dict(zip(("width", "height"), WIDTHS[width], strict=True)))
    page.goto(f"{live_server.url}/")
    expect(page.locator("#key-findings")).to_be_visible()
    page.locator("#key-findings details summary").click()  # the opened list too
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # the group tables are read whole, without scrolling sideways
    for table in ("#findings-region", "#findings-income_group"):
        box = page.locator(table).locator("xpath=..")
        assert box.evaluate("e => e.scrollWidth <= e.clientWidth"), table
    assert serious_violations(page) == []
    page.locator("#key-findings").screenshot(path=str(artefacts / f"findings-{width}.png"))
    page.screenshot(path=str(artefacts / f"home-findings-{width}.png"), full_page=True)
    assert outside == []


@pytest.mark.parametrize("width", list(WIDTHS))
def test_the_search_finds_a_country_and_its_pages_pass_axe(
    live_server, committed_demo_data, page, artefacts, width
):
    outside = requests_elsewhere(page, live_server.url)
    page.set_viewport_size(dict(zip(("width", "height"), WIDTHS[width], strict=True)))
    page.goto(f"{live_server.url}/")
    search = page.get_by_role("search", name="Country search")
    search.get_by_label("Find a country").fill("turkiye")
    search.get_by_role("button", name="Find").click()
    expect(page).to_have_url(re.compile(r"/countries/TUR/$"))
    expect(page.locator("h1")).to_contain_text("Türkiye")
    # several matches: a list; none: suggestions; each page fits and passes axe
    for query, shows, name in (
        ("korea", "#find-results", "several"),
        ("kenia", "#find-suggestions", "none"),
    ):
        page.goto(f"{live_server.url}/countries/")
        search = page.get_by_role("search", name="Country search")
        search.get_by_label("Find a country").fill(query)
        search.get_by_label("Find a country").press("Enter")
        expect(page).to_have_url(re.compile(rf"/countries/find/\?q={query}$"))
        expect(page.locator(shows)).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert serious_violations(page) == []
        page.screenshot(path=str(artefacts / f"country-find-{name}-{width}.png"), full_page=True)
    page.locator("#find-suggestions a", has_text="Kenya").click()
    expect(page).to_have_url(re.compile(r"/countries/KEN/$"))
    assert outside == []


def test_the_search_works_without_script(live_server, committed_demo_data, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/")
    page.get_by_label("Find a country").fill("ken")
    page.get_by_role("button", name="Find").click()
    expect(page).to_have_url(re.compile(r"/countries/KEN/$"))
    context.close()
