"""The page of the seed's two world maps in Chromium: every map drawn, the small states as points,
capability and AIMAI side by side on a wide screen and one above the other on a phone, the
server's drawings without JavaScript, no request leaving the site, and no serious accessibility
violation at 1366 and 390 px; screenshots kept as test artefacts."""

import pytest
from playwright.sync_api import expect

from tests.browser.offline import requests_elsewhere
from tests.browser.test_overview_browser import serious_violations

pytestmark = pytest.mark.browser

MAPS = ["map-top500-rmax-tflops", "map-capability", "map-aimai"]
WIDTHS = {"desktop": (1366, 900), "phone": (390, 844)}


@pytest.mark.parametrize("width", list(WIDTHS))
def test_the_maps_are_drawn_and_pass_axe(live_server, committed_demo_data, page, artefacts, width):
    outside = requests_elsewhere(page, live_server.url)
    page.set_viewport_size(dict(zip(("width", "height"), WIDTHS[width], strict=True)))
    page.goto(f"{live_server.url}/maps/")
    page.locator(f"#chart-{MAPS[0]}").hover()  # a reader's pointer fetches the chart library
    for slug in MAPS:
        chart = page.locator(f"#chart-{slug}")
        expect(chart).to_have_attribute("data-rendered", "true")
        expect(chart.locator("g.mark-shape.role-mark path").first).to_be_attached()
    # a small state, too small for the map's shapes, is a point of its own
    for slug in MAPS:
        singapore = page.locator(
            f"#chart-{slug} g.mark-symbol.role-mark path[aria-label='Singapore']"
        )
        expect(singapore).to_have_count(1)
    # pointing at it names it, in the site's words
    page.locator(f"#chart-{MAPS[2]}").scroll_into_view_if_needed()
    page.locator(f"#chart-{MAPS[2]} path[aria-label='Singapore']").hover(force=True)
    expect(page.locator("#vg-tooltip-element")).to_contain_text("Singapore")
    capability = page.locator("#chart-map-capability").bounding_box()
    aimai = page.locator("#chart-map-aimai").bounding_box()
    if width == "desktop":  # side by side
        assert abs(capability["y"] - aimai["y"]) < 2
        assert aimai["x"] >= capability["x"] + capability["width"]
    else:  # one above the other
        assert aimai["y"] >= capability["y"] + capability["height"]
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert serious_violations(page) == []
    page.screenshot(path=str(artefacts / f"maps-{width}.png"), full_page=True)
    assert outside == []


def test_without_javascript_the_server_drawings_are_shown(
    live_server, committed_demo_data, browser, artefacts
):
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1366, "height": 900}
    )
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/maps/", wait_until="load")
        stills = page.locator("img.chart-still")
        expect(stills).to_have_count(len(MAPS))
        for index in range(len(MAPS)):
            still = stills.nth(index)
            expect(still).to_be_visible()
            assert still.evaluate("img => img.complete && img.naturalWidth > 0")
        page.screenshot(path=str(artefacts / "maps-without-javascript.png"), full_page=True)
    finally:
        context.close()
