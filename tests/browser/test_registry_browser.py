"""An entry's proof, checked in the browser with Web Crypto."""

import pytest
from playwright.sync_api import expect

from registry.models import Entry
from registry.services import Event, registry_append
from tests.conftest import empty_for_the_flush, purge_registry

pytestmark = pytest.mark.browser


@pytest.fixture
def log_of_eleven(transactional_db):
    purge_registry()
    registry_append(
        [
            Event(event="compact.amended", identifier=f"c-{i}", url=f"/c/{i}/", digest=f"{i:064x}")
            for i in range(11)
        ]
    )
    yield
    empty_for_the_flush()


def test_an_entry_verifies_in_the_browser_and_a_changed_one_does_not(
    log_of_eleven, live_server, page, artefacts
):
    entry = Entry.objects.get(leaf_index=6)
    page.goto(f"{live_server.url}/registry/{entry.leaf_index}/")
    expect(page.locator("#audit-path li")).to_have_count(4)  # 11 leaves: a path of 4 hashes
    page.get_by_role("button", name="Verify in your browser").click()
    expect(page.locator("#verify-result")).to_have_text(
        "Verified: this entry is in the signed tree."
    )
    page.screenshot(path=str(artefacts / "registry-entry.png"), full_page=True)
    # when someone changes the entry shown on the page, the check fails
    page.evaluate(
        "document.getElementById('entry-text').textContent = "
        "document.getElementById('entry-text').textContent.replace('c-6', 'c-7')"
    )
    page.get_by_role("button", name="Verify in your browser").click()
    expect(page.locator("#verify-result")).to_contain_text("NOT verified")


def test_an_audit_path_with_extra_hashes_does_not_verify(log_of_eleven, live_server, page):
    page.goto(f"{live_server.url}/registry/3/")
    page.evaluate(
        "const li = document.createElement('li');"
        "li.innerHTML = '<code>' + '00'.repeat(32) + '</code>';"
        "document.getElementById('audit-path').appendChild(li);"
    )
    page.get_by_role("button", name="Verify in your browser").click()
    expect(page.locator("#verify-result")).to_contain_text("NOT verified")


def test_a_withheld_entry_verifies_from_its_leaf_hash(log_of_eleven, live_server, page):
    from registry.services import registry_withhold

    registry_withhold([6], "named an individual member")
    page.goto(f"{live_server.url}/registry/6/")
    expect(page.locator("#withheld")).to_contain_text("withheld (personal data)")
    expect(page.locator("#entry-text")).to_have_count(0)
    page.get_by_role("button", name="Verify in your browser").click()
    expect(page.locator("#verify-result")).to_have_text(
        "Verified: this entry is in the signed tree."
    )
    # a leaf hash other than the tree's does not verify
    page.evaluate("document.getElementById('leaf-hash').textContent = '00'.repeat(32)")
    page.get_by_role("button", name="Verify in your browser").click()
    expect(page.locator("#verify-result")).to_contain_text("NOT verified")


def test_an_entry_with_its_long_hashes_fits_a_phone(log_of_eleven, live_server, page, artefacts):
    registry_append(
        [
            Event(
                event="membership.accepted",
                identifier="score-set:" + "ab" * 32,
                url="/compacts/organisations/" + "a-long-organisation-name-" * 6 + "/",
                digest="ab" * 32,
            )
        ]
    )
    page.set_viewport_size({"width": 375, "height": 800})
    for leaf in (6, 11):
        page.goto(f"{live_server.url}/registry/{leaf}/")
        wide = page.evaluate(
            "[...document.querySelectorAll('main *')]"
            ".filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)"
            ".map(e => e.tagName + '.' + e.className + ' ' + e.textContent.slice(0, 40))"
        )
        assert wide == [], wide
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(artefacts / "registry-entry-phone.png"), full_page=True)
