"""The index and registry pages at a phone's width (390 px) and a laptop's (1366 px): nothing
wider than the screen, the AIMAI column in view, captions whole, long hashes kept in their
cell, the charts in the layout drawn for the width, no serious accessibility violation;
screenshots kept as artefacts. And no request ever leaves the site."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.test_overview_browser import serious_violations

pytestmark = pytest.mark.browser

WIDTHS = {"phone": (390, 844), "laptop": (1366, 768)}
PAGES = ["/", "/countries/", "/countries/KEN/", "/registry/", "entry"]
WITH_AIMAI = {"/", "/countries/", "/countries/KEN/"}

# every visible caption: its right edge and the right edge of what it can be seen through
CAPTIONS = """() => [...document.querySelectorAll('caption')]
  .filter(c => !c.classList.contains('visually-hidden') && c.getClientRects().length)
  .map(c => {
    const box = (c.closest('.table-scroll') || document.documentElement).getBoundingClientRect();
    const r = c.getBoundingClientRect();
    return {text: c.textContent.slice(0, 40), right: r.right, seen: Math.min(box.right, innerWidth),
            clipped: c.scrollWidth > c.clientWidth + 1};
  })"""

# a clipped identifier or digest against the cell that follows its own
OVERLAPS = """() => [...document.querySelectorAll('table.data .clip')].map(e => {
    const cell = e.closest('td, th');
    const next = cell.nextElementSibling;
    return {text: e.textContent.slice(0, 20), right: e.getBoundingClientRect().right,
            cell: cell.getBoundingClientRect().right,
            next: next ? next.getBoundingClientRect().left : Infinity};
  }).filter(o => o.right > o.cell + 0.5 || o.right > o.next + 0.5)"""


def _address(live_server, path: str) -> str:
    if path == "entry":  # a score set's entry: the longest identifier the log holds
        from registry.models import Entry

        entry = Entry.objects.filter(event="score_set.published").order_by("leaf_index").first()
        path = f"/registry/{entry.leaf_index}/"
    return f"{live_server.url}{path}"


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("path", PAGES)
def test_pages_fit_the_width_and_keep_what_matters_in_view(
    live_server, committed_demo_data, page, artefacts, path, width
):
    page.set_viewport_size(dict(zip(("width", "height"), WIDTHS[width], strict=True)))
    page.goto(_address(live_server, path))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
    if path in WITH_AIMAI:  # the first country's AIMAI, on screen without scrolling sideways
        aimai = page.locator("table.data tbody tr:first-child .aimai").first
        expect(aimai).to_be_visible()
        box = aimai.bounding_box()
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= page.viewport_size["width"]
    for caption in page.evaluate(CAPTIONS):
        assert not caption["clipped"], caption
        assert caption["right"] <= caption["seen"] + 1, caption
    assert page.evaluate(OVERLAPS) == []
    if path == "/registry/":
        assert page.locator("table.data .clip").count() > 0  # there were hashes to keep in
        expect(page.locator("#head-time")).to_contain_text(" UTC")
        expect(page.locator("table.data time").first).to_be_visible()
    if path == "entry":
        verify = page.get_by_role("button", name="Verify in your browser")
        expect(verify).to_have_class("button")
        verify.click()
        expect(page.locator("#verify-result")).to_have_text(
            "Verified: this entry is in the signed tree."
        )
    assert serious_violations(page) == []
    name = "entry" if path == "entry" else (path.strip("/").replace("/", "-") or "home")
    page.screenshot(path=str(artefacts / f"fit-{name}-{width}.png"), full_page=True)


@pytest.mark.parametrize("width", list(WIDTHS))
def test_the_overview_charts_take_the_layout_of_the_width(
    live_server, committed_demo_data, page, artefacts, width
):
    page.set_viewport_size(dict(zip(("width", "height"), WIDTHS[width], strict=True)))
    page.goto(f"{live_server.url}/", wait_until="load")
    phone = width == "phone"
    # before the chart library: the server's drawing for this width
    for chart in ("concentration", "map"):
        still = page.locator(f"#chart-{chart} img.chart-still")
        expect(still).to_be_visible()
        assert still.evaluate("img => img.complete && img.naturalWidth > 0")
        assert ("layout=narrow" in still.evaluate("img => img.currentSrc")) is phone
    # once drawn: the narrow layout on a phone, the wide one on a laptop
    page.locator("#chart-scatter").hover()
    layout = "narrow" if phone else "wide"
    for chart in ("concentration", "map"):
        drawn = page.locator(f"#chart-{chart}")
        expect(drawn).to_have_attribute("data-rendered", "true")
        expect(drawn).to_have_attribute("data-layout", layout)
    if phone:
        # the concentration chart is a list read downwards: every country, no scrolling aside
        box = page.locator("#chart-concentration").evaluate(
            "e => [e.scrollWidth, e.clientWidth, e.querySelectorAll('g.mark-rect path').length]"
        )
        assert box[0] <= box[1]
        scored = page.locator("#scores tbody tr").count()
        assert box[2] == 2 * scored  # a capability bar and an AIMAI bar for each
        # the map fills the width, and below the world comes its legend, not a blank band
        svg = page.locator("#chart-map svg.marks").bounding_box()
        # the shapes' layer (the small states' points are the second)
        world = page.locator("#chart-map g.role-mark").first.bounding_box()
        assert world["width"] >= 0.8 * page.locator("#chart-map").bounding_box()["width"]
        assert (svg["y"] + svg["height"]) - (world["y"] + world["height"]) <= 80
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(artefacts / f"charts-home-{width}.png"), full_page=True)


def test_a_country_s_contributions_read_at_a_phone_s_width(
    live_server, committed_demo_data, page, artefacts
):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/countries/KEN/")
    chart = page.locator("#chart-explain")
    expect(chart).to_have_attribute("data-rendered", "true")
    expect(chart).to_have_attribute("data-layout", "narrow")
    # each indicator's name is written in full above its bar, and the chart fits the screen
    names = chart.locator("g.mark-text text")
    rows = page.locator("#explain tbody tr").filter(has_not_text="—").count()
    assert names.count() >= rows
    assert chart.evaluate("e => e.scrollWidth <= e.clientWidth")
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
    chart.screenshot(path=str(artefacts / "contributions-phone.png"))


def test_no_request_leaves_the_site(live_server, committed_demo_data, page):
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(live_server.url))
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    for path in ("/", "/countries/KEN/", "/methodology/", "/registry/", "/countries/"):
        page.goto(f"{live_server.url}{path}", wait_until="load")
        charts = page.locator(".vega[data-spec]")
        if charts.count():  # the charts drawn too: the library, the map's shapes
            charts.first.hover()
            expect(charts.first).to_have_attribute("data-rendered", "true")
        page.wait_for_load_state("networkidle")
    assert len(requested) > 10
    elsewhere = [
        url
        for url in requested
        if urlsplit(url).scheme not in ("data", "blob")
        and "{0.scheme}://{0.netloc}".format(urlsplit(url)) != origin
    ]
    assert elsewhere == []
