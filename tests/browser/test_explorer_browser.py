"""The what-if explorer in Chromium: a visitor moves a dimension's slider and leaves an indicator
out; the table, movers and chart follow without a reload, the address holds the state, the
numbers shown are the engine's, and the copied link shows the same results in a fresh browser;
no serious accessibility violation at desktop and phone widths."""

import re

import pytest
from playwright.sync_api import expect

from countries.index.bundle import inputs_observations
from countries.index.engine import compute
from countries.index.reading import methodology_parse
from countries.models import ScoreSet
from countries.scoring import score_set_inputs
from countries.selectors import score_set_resolve
from countries.whatif import variant_definition
from tests.browser.offline import requests_elsewhere
from tests.browser.test_overview_browser import serious_violations

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": (1366, 900), "phone": (390, 844)}
PAGE = "/methodology/explore/"


def _engine_scores(state: dict) -> dict:
    """Every country's score under `state`, by the engine alone, from the published inputs."""
    inputs = score_set_inputs(ScoreSet.objects.get(pk=score_set_resolve().pk))
    regions = inputs["regions"]
    result = compute(
        methodology_parse(variant_definition(inputs["methodology"], state)),
        inputs_observations(inputs),
        regions.keys(),
        regions,
        sensitivity=False,
    )
    return {s.country: s for s in result.scores}


def _cells(page, iso3: str) -> list[str]:
    row = page.locator(f'#explore-table tr[data-country="{iso3}"]')
    return [text.strip() for text in row.locator("td, th").all_inner_texts()]


def test_a_visitor_reweighs_and_shares_the_variant(
    live_server, committed_demo_data, page, browser, artefacts
):
    outside = requests_elsewhere(page, live_server.url)
    console = []
    page.on("console", lambda message: console.append(message.text))
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/methodology/")
    page.get_by_role("link", name="Try another weighting in the explorer").click()
    expect(page).to_have_url(re.compile(r"/methodology/explore/$"))
    expect(page.locator("#explore-label")).to_contain_text("Not published")
    page.evaluate("window.notReloaded = true")  # gone if the page loads again
    before = page.locator("#explore-table tbody").inner_text()

    # the burden's slider to 0: the number field follows, then the results
    page.get_by_label("Weight of Burden in AIMAI (slider)").fill("0")
    expect(page.get_by_label("Weight of Burden in AIMAI", exact=True)).to_have_value("0")
    expect(page).to_have_url(re.compile(r"/methodology/explore/\?d\.burden=0$"))
    # and one indicator left out
    page.locator("#off-oda_gni").check()
    expect(page).to_have_url(re.compile(r"/methodology/explore/\?d\.burden=0&off=oda_gni$"))
    expect(page.locator("#explore-status")).to_have_text(
        re.compile(r"^\d+ countries changed rank\.$")
    )
    expect(page.locator("#explore-changes")).to_contain_text("Indicator oda_gni removed")
    assert page.evaluate("window.notReloaded === true")
    assert page.locator("#explore-table tbody").inner_text() != before
    expect(page.locator("#explore-movers li").first).to_contain_text(re.compile("[▲▼]"))
    assert page.locator("#explore-chart line.shift.up").count() > 0

    # the numbers shown are the engine's for this state
    engine = _engine_scores({"d.burden": "0", "off": "oda_gni"})
    for iso3 in ("KEN", "IND", "BRA"):
        rank, name, _, _, aimai, *_ = _cells(page, iso3)
        expected = engine[iso3]
        assert rank == (str(expected.rank) if expected.rank is not None else "—"), iso3
        assert aimai == (f"{expected.aimai:.2f}" if expected.aimai is not None else "—"), iso3
    page.screenshot(path=str(artefacts / "explorer-reweighed-desktop.png"), full_page=True)

    # the link to copy is the address; a fresh browser opening it sees the same results
    shared = page.get_by_label("Link to this variant").input_value()
    assert shared == page.url
    expect(page.get_by_role("button", name="Copy link")).to_be_visible()
    table = page.locator("#explore-table").inner_text()
    fresh = browser.new_context()
    try:
        other = fresh.new_page()
        other.goto(shared)
        expect(other.get_by_label("Weight of Burden in AIMAI", exact=True)).to_have_value("0")
        expect(other.locator("#off-oda_gni")).to_be_checked()
        assert other.locator("#explore-table").inner_text() == table
    finally:
        fresh.close()

    # a refused state says why and keeps the last results
    page.get_by_label("Bridger from AIMAI", exact=True).fill("-20")  # below the divider
    expect(page.locator("#explore-errors")).to_contain_text("must be above index.divider_max")
    assert page.locator("#explore-table").inner_text() == table
    assert outside == []
    assert not [text for text in console if "Content Security Policy" in text], console


@pytest.mark.parametrize("width", list(WIDTHS))
def test_the_explorer_passes_axe_and_fits(live_server, committed_demo_data, page, artefacts, width):
    page.set_viewport_size(dict(zip(("width", "height"), WIDTHS[width], strict=True)))
    page.goto(f"{live_server.url}{PAGE}?d.burden=0&off=oda_gni")
    expect(page.locator("#explore-table tbody tr").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert serious_violations(page) == []
    page.screenshot(path=str(artefacts / f"explorer-{width}.png"), full_page=True)
