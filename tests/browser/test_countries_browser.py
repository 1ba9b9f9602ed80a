"""The country pages in a real browser: filter, open a country, follow a source link."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_filter_by_region_then_open_a_country_and_check_a_source(
    live_server, committed_demo_data, page, artefacts
):
    # given the country list
    page.goto(f"{live_server.url}/countries/")
    expect(page.get_by_role("heading", name="Countries", level=1)).to_be_visible()
    # when the reader filters by region
    page.get_by_label("Region", exact=True).select_option("Africa")
    page.get_by_role("button", name="Apply").click()
    # then the URL carries the filter and only African countries are listed
    expect(page).to_have_url(re.compile(r"region=Africa"))
    expect(page.locator("#result-count")).to_contain_text("60 countries shown")
    expect(page.get_by_role("link", name="Kenya", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="France", exact=True)).to_have_count(0)
    # when they open Kenya
    page.get_by_role("link", name="Kenya", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kenya")
    # then its AIMAI (the headline's, the index) is shown alone, explained, and the alternative
    # view comes in its own section further down
    expect(page.locator("#scores tbody tr")).to_have_count(1)
    expect(page.locator("#scores")).to_contain_text("headline")
    expect(page.locator("#alternatives")).to_contain_text("Alternative view")
    explain_row = page.locator("#explain tbody tr").filter(has_text="Fragile States Index")
    expect(explain_row).to_contain_text("carried forward from 2023")
    # and each observation links to its source
    fsi_row = page.locator("section.dimension tr").filter(has_text="Fragile States Index")
    expect(fsi_row).to_contain_text("2023")
    expect(fsi_row).to_contain_text("87.8")
    source = fsi_row.get_by_role("link", name="The Fund for Peace")
    expect(source).to_have_attribute(
        "href",
        re.compile(r"^https://github\.com/javoh20/excel-sql/blob/.+FSI-2023-DOWNLOAD\.xlsx$"),
    )
    page.screenshot(path=str(artefacts / "country-kenya.png"), full_page=True)
    assert (artefacts / "country-kenya.png").stat().st_size > 10_000


def test_country_list_fits_a_phone_screen(live_server, committed_demo_data, page, artefacts):
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{live_server.url}/countries/?has_data=maybe")
    expect(page.get_by_role("alert")).to_contain_text("maybe is not one of the available choices")
    # no horizontal scrolling of the page itself (wide tables scroll in their own box)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(artefacts / "countries-phone.png"), full_page=True)
