"""The platform's key pages in each of its languages, at desktop and phone widths: in that
language and direction, without sideways scrolling or a serious accessibility violation
(Arabic right to left included); screenshots kept as artefacts. A member's compact pages
likewise, signed in. A shared address opened and switched to another language keeps its
state."""

import pytest
from django.utils import translation
from playwright.sync_api import expect

from tests.browser.recorder import log_in
from tests.browser.test_overview_browser import serious_violations
from tests.browser.test_pages_accessibility import compact_pages  # noqa: F401 (a fixture)
from tests.compacts.conftest import (
    cast,  # noqa: F401 (a fixture compact_pages uses)
    principles_current,
)

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": (1366, 900), "phone": (390, 844)}
LANGUAGES = ["en", "fr", "es", "ar"]
PAGES = ["/", "/countries/KEN/", "/methodology/", "/compacts/", "/compacts/offers/", "/join/"]


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("code", LANGUAGES)
def test_key_pages_in_each_language(live_server, committed_demo_data, page, artefacts, code, width):
    principles_current()  # the migration's version, made again after a flush
    page.set_viewport_size(dict(zip(("width", "height"), WIDTHS[width], strict=True)))
    for path in PAGES:
        address = path if code == "en" else f"/{code}{path}"
        page.goto(f"{live_server.url}{address}")
        html = page.locator("html")
        expect(html).to_have_attribute("lang", code)
        expect(html).to_have_attribute("dir", "rtl" if code == "ar" else "ltr")
        current = page.locator(".languages a[aria-current='true']")
        expect(current).to_have_attribute("hreflang", code)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), address
        assert serious_violations(page) == [], address
        name = (path.strip("/").replace("/", "-") or "home")[:40]
        page.screenshot(path=str(artefacts / f"lang-{name}-{code}-{width}.png"), full_page=True)


def in_language(page, code: str, address: str) -> None:
    """The page is in `code`, its direction, without sideways scrolling or a serious
    violation."""
    html = page.locator("html")
    expect(html).to_have_attribute("lang", code)
    expect(html).to_have_attribute("dir", "rtl" if code == "ar" else "ltr")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), address
    assert serious_violations(page) == [], address


# signed in as the provider's owner: their dashboard, an active compact, a published offer
MEMBER_PAGES = {"dashboard": "Your dashboard", "compact": None, "offer": None}


@pytest.mark.parametrize("code", LANGUAGES)
def test_a_members_compact_pages_in_each_language(live_server, request, page, artefacts, code):
    addresses = request.getfixturevalue("compact_pages")
    log_in(page, live_server.url, "ada@provider.example", "correct horse battery")
    for name, heading in MEMBER_PAGES.items():
        address = addresses[name] if code == "en" else f"/{code}{addresses[name]}"
        for width, size in WIDTHS.items():
            page.set_viewport_size(dict(zip(("width", "height"), size, strict=True)))
            page.goto(f"{live_server.url}{address}")
            if heading:
                with translation.override(code):
                    expected = translation.gettext(heading)
                expect(page.get_by_role("heading", level=1)).to_have_text(expected)
            in_language(page, code, address)
            shot = artefacts / f"lang-member-{name}-{code}-{width}.png"
            page.screenshot(path=str(shot), full_page=True)


def test_a_shared_address_keeps_its_state_in_another_language(
    live_server, committed_demo_data, page
):
    page.goto(f"{live_server.url}/fr/compare/?countries=KEN,IND,BRA")
    chosen = page.locator("ul.compare-chosen > li")
    expect(chosen).to_have_count(3)
    page.locator(".languages a[hreflang='ar']").click()
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    assert page.url == f"{live_server.url}/ar/compare/?countries=KEN,IND,BRA"
    expect(chosen).to_have_count(3)
    # the choice is remembered: the plain address now opens in Arabic, state and all
    page.goto(f"{live_server.url}/compare/?countries=KEN,IND")
    assert page.url == f"{live_server.url}/ar/compare/?countries=KEN,IND"
    expect(chosen).to_have_count(2)
