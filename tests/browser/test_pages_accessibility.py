"""The country page and the methodology page at desktop and phone widths: drawn, reachable by
keyboard, without a serious accessibility violation; screenshots kept as test artefacts."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_overview_browser import serious_violations

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": (1280, 900), "phone": (375, 800)}


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("path", ["/countries/KEN/", "/methodology/", "/registry/"])
def test_page_passes_axe_and_fits(live_server, committed_demo_data, page, artefacts, path, width):
    page.set_viewport_size(dict(zip(("width", "height"), WIDTHS[width], strict=True)))
    page.goto(f"{live_server.url}{path}")
    if path == "/countries/KEN/":
        from countries.models import ScoreSet

        kenya = (
            ScoreSet.objects.for_methodology("aimai-default")
            .current()
            .scores.get(country__iso3="KEN")
        )
        expect(page.locator("#chart-explain")).to_have_attribute("data-rendered", "true")
        bars = page.locator("#chart-explain g.mark-rect.role-mark path")
        expect(bars).to_have_count(len(kenya.contributions["aimai"]))  # one per indicator
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # the first Tab reaches the skip link, which leads to the content
    page.keyboard.press("Tab")
    expect(page.locator("a.skip-link")).to_be_focused()
    assert serious_violations(page) == []
    name = path.strip("/").replace("/", "-") or "home"
    page.screenshot(path=str(artefacts / f"{name}-{width}.png"), full_page=True)
