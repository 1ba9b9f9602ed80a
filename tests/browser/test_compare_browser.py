"""Compare and embed in Chromium: three countries picked through the page, the URL opened in a
fresh browser showing the same table; an embed page framed by a page of another origin, while a
normal page refuses to be framed; both pages without a serious accessibility violation at
desktop and phone widths."""

import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from tests.browser.offline import requests_elsewhere
from tests.browser.test_overview_browser import serious_violations

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": (1366, 900), "phone": (390, 844)}


def add_country(page, name: str) -> None:
    page.get_by_label("Add a country (name or ISO3 code)").fill(name)
    page.get_by_role("button", name="Add", exact=True).click()


def test_three_countries_compared_through_the_page_and_shared_by_url(
    live_server, committed_demo_data, page, browser, artefacts
):
    outside = requests_elsewhere(page, live_server.url)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Compare", exact=True).click()
    expect(page.locator("#compare-empty")).to_be_visible()
    add_country(page, "Kenya")
    expect(page).to_have_url(re.compile(r"/compare/\?countries=KEN$"))
    add_country(page, "india")  # any case
    add_country(page, "BRA")  # or the code
    expect(page).to_have_url(re.compile(r"/compare/\?countries=KEN,IND,BRA$"))
    headers = page.locator("#compare thead th[scope=col].num")
    expect(headers).to_have_text(["Kenya", "India", "Brazil"])
    # the chart: drawn by the server first, then interactive, four bars a country at most
    expect(page.locator("#chart-compare img.chart-still")).to_be_visible()
    page.locator("#chart-compare").hover()
    expect(page.locator("#chart-compare")).to_have_attribute("data-rendered", "true")
    bars = page.locator("#chart-compare g.mark-rect.role-mark path")
    expect(bars.first).to_be_visible()
    assert 3 <= bars.count() <= 12
    table = page.locator("#compare").inner_text()
    page.screenshot(path=str(artefacts / "compare-three-desktop.png"), full_page=True)

    # the address is the comparison: a fresh browser opening it sees the same table
    shared = page.url
    fresh = browser.new_context()
    try:
        other = fresh.new_page()
        other.goto(shared)
        expect(other.locator("#compare thead th[scope=col].num")).to_have_text(
            ["Kenya", "India", "Brazil"]
        )
        assert other.locator("#compare").inner_text() == table
    finally:
        fresh.close()

    # the Share menu opens without script and holds the embed code
    page.locator("details.share summary").click()
    embed_code = page.get_by_label("Embed code (paste it into a web page)")
    expect(embed_code).to_be_visible()
    assert "/embed/compare/?countries=KEN,IND,BRA" in embed_code.input_value()
    # removing one keeps the others, in order
    page.get_by_role("link", name="Remove India").click()
    expect(page).to_have_url(re.compile(r"/compare/\?countries=KEN,BRA$"))
    expect(headers).to_have_text(["Kenya", "Brazil"])
    # a name that is no country is refused with a message, the comparison kept
    add_country(page, "Atlantis")
    expect(page.locator("#compare-error")).to_contain_text("No country called “Atlantis”")
    expect(headers).to_have_text(["Kenya", "Brazil"])
    assert outside == []


class _Embedder(BaseHTTPRequestHandler):
    """Another site: one page framing an embed page and a normal page of the site under test."""

    body = b""

    def do_GET(self):  # noqa: N802 (the standard library's name)
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


@pytest.fixture
def other_origin(live_server):
    """A second web server on another port (so another origin) framing the live server."""
    handler = type("Embedder", (_Embedder,), {})
    handler.body = (
        "<!doctype html><html lang=en><head><title>Another site</title></head><body>"
        "<h1>An article</h1>"
        f'<iframe id="embedded" title="Embedded chart" width="900" height="560" '
        f'src="{live_server.url}/embed/compare/?countries=KEN,IND,BRA"></iframe>'
        f'<iframe id="framed" title="A normal page" width="900" height="400" '
        f'src="{live_server.url}/"></iframe>'
        "</body></html>"
    ).encode()
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_an_embed_page_is_framed_by_another_site_while_a_normal_page_refuses(
    live_server, committed_demo_data, other_origin, page, artefacts
):
    assert other_origin.rsplit(":", 1)[1] != live_server.url.rsplit(":", 1)[1]  # another port
    console = []
    page.on("console", lambda message: console.append(message.text))
    page.set_viewport_size({"width": 1366, "height": 1100})
    page.goto(f"{other_origin}/", wait_until="load")
    embedded = page.frame_locator("#embedded")
    expect(embedded.locator("h1")).to_have_text("Countries compared")
    still = embedded.locator("img.chart-still")
    expect(still).to_be_visible()
    assert still.evaluate("img => img.complete && img.naturalWidth > 0")
    expect(embedded.locator(".embed-source")).to_contain_text("CC BY 4.0")
    # the normal page is refused: its frame holds none of the site, and the browser says why
    page.wait_for_timeout(500)
    framed = page.locator("#framed").content_frame
    expect(framed.locator(".site-header")).to_have_count(0)
    assert any("frame-ancestors" in text and "'none'" in text for text in console), console
    page.screenshot(path=str(artefacts / "embed-framed-by-another-site.png"), full_page=True)


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize(
    "path",
    [
        "/compare/?countries=KEN,IND,BRA",
        "/embed/compare/?countries=KEN,IND,BRA",
        "/embed/map/?field=aimai",
    ],
)
def test_compare_and_embed_pass_axe_and_fit(
    live_server, committed_demo_data, page, artefacts, path, width
):
    page.set_viewport_size(dict(zip(("width", "height"), WIDTHS[width], strict=True)))
    page.goto(f"{live_server.url}{path}")
    share = page.locator("details.share summary")
    if share.count():
        share.first.click()  # the open menu is checked too
    chart = page.locator(".vega[data-spec]").first
    chart.hover()
    expect(chart).to_have_attribute("data-rendered", "true")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert serious_violations(page) == []
    name = re.sub(r"[^a-z]+", "-", path.split("?")[0]).strip("-")
    page.screenshot(path=str(artefacts / f"{name}-{width}.png"), full_page=True)
