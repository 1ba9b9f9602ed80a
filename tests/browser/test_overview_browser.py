"""The index overview in Chromium: charts drawn with one mark per country, details on hover,
a click opening the country, filters in the URL, no request leaving the site, and no serious
accessibility violation, at desktop and phone widths."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from countries.models import ScoreSet
from tests.browser.offline import requests_elsewhere

pytestmark = pytest.mark.browser


def serious_violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']}: " + "; ".join(n["html"][:120] for n in v["nodes"][:3])
        for v in results.response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]


def use_the_charts(page) -> None:
    """Point at a chart: the page then fetches the chart library and draws them all."""
    page.locator("#chart-concentration").hover()


def test_the_server_drawings_show_first_and_the_library_waits_for_a_reader(
    live_server, committed_demo_data, page
):
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/", wait_until="load")
    for chart in ("concentration", "scatter", "map"):
        still = page.locator(f"#chart-{chart} img.chart-still")
        expect(still).to_be_visible()
        assert still.evaluate("img => img.complete && img.naturalWidth > 0")
    page.wait_for_timeout(1500)  # longer than the idle wait the library used to load after
    assert not [url for url in requested if "/vendor/vega" in url]
    page.locator("#chart-scatter").hover()
    for chart in ("concentration", "scatter", "map"):
        expect(page.locator(f"#chart-{chart}")).to_have_attribute("data-rendered", "true")
        expect(page.locator(f"#chart-{chart} img.chart-still")).to_have_count(0)


def test_the_overview_charts_respond_and_pass_an_accessibility_check(
    live_server, committed_demo_data, page, artefacts
):
    outside = requests_elsewhere(page, live_server.url)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/")
    use_the_charts(page)
    for chart in ("concentration", "scatter", "map"):
        expect(page.locator(f"#chart-{chart}")).to_have_attribute("data-rendered", "true")
    # one bar per scored country in each half of the concentration chart, one point each
    scored = ScoreSet.objects.for_methodology("aimai-default").current().scores.exclude(aimai=None)
    expect(page.locator("#chart-concentration g.mark-rect.role-mark path")).to_have_count(
        2 * scored.count()
    )
    expect(page.locator("#chart-scatter g.mark-symbol.role-mark path")).to_have_count(
        scored.count()
    )
    page.screenshot(path=str(artefacts / "overview-desktop.png"), full_page=True)
    assert outside == []
    # hovering a point shows that country's scores
    page.locator("#chart-scatter").scroll_into_view_if_needed()
    kenya = page.locator("#chart-scatter g.mark-symbol.role-mark path[aria-label*='Kenya']")
    kenya.hover()
    expect(page.locator("#vg-tooltip-element")).to_contain_text("Kenya")
    # clicking it opens the country's page
    kenya.click()
    expect(page).to_have_url(re.compile(r"/countries/KEN/$"))
    # the table's filters refresh the table alone, and go into the URL
    page.goto(f"{live_server.url}/")
    use_the_charts(page)
    expect(page.locator("#chart-map")).to_have_attribute("data-rendered", "true")
    page.evaluate("window.stillTheSamePage = true")
    page.get_by_label("Classification", exact=True).select_option("concentration")
    page.get_by_role("button", name="Apply").last.click()
    dividers = ScoreSet.objects.for_methodology("aimai-default").current().scores
    dividers = dividers.filter(classification="concentration").count()
    expect(page.locator("#result-count")).to_contain_text(f"{dividers} countries shown")
    expect(page).to_have_url(re.compile(r"classification=concentration"))
    assert page.evaluate("window.stillTheSamePage === true")  # no full page load
    expect(page.locator("#scores tbody tr")).to_have_count(dividers)
    # and the shared URL, opened afresh, shows the same table (from a blank page: going to
    # the URL the history already shows can be a same-document step the page then reloads)
    shared = page.url
    page.goto("about:blank")
    page.goto(shared, wait_until="load")
    expect(page.locator("#scores tbody tr")).to_have_count(dividers)
    use_the_charts(page)
    expect(page.locator("#chart-map")).to_have_attribute("data-rendered", "true")
    assert serious_violations(page) == []


def test_the_overview_fits_a_phone(live_server, committed_demo_data, page, artefacts):
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{live_server.url}/")
    use_the_charts(page)
    expect(page.locator("#chart-map")).to_have_attribute("data-rendered", "true")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(artefacts / "overview-phone.png"), full_page=True)
    assert serious_violations(page) == []


def test_downloads_and_the_keyboard(live_server, committed_demo_data, page):
    page.goto(f"{live_server.url}/")
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").first.click()
    assert download.value.suggested_filename.startswith("aimai-scores-aimai-default-")
    text = open(download.value.path(), encoding="utf-8").read()
    assert text.splitlines()[0].startswith("country,name,region")
    # the table's filter works with the keyboard alone
    select = page.get_by_label("Classification", exact=True)
    select.focus()
    page.keyboard.press("ArrowDown")  # first choice after "All classes": Bridger
    page.keyboard.press("ArrowDown")  # then Neutral
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Apply").last.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"classification=neutral"))
    neutral = ScoreSet.objects.for_methodology("aimai-default").current().scores
    neutral = neutral.filter(classification="neutral").count()
    expect(page.locator("#result-count")).to_contain_text(f"{neutral} countries shown")
