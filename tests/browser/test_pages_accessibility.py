"""The country, methodology, registry and compacts pages at desktop and phone widths: drawn,
reachable by keyboard, without a serious accessibility violation; screenshots kept as test
artefacts."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_overview_browser import serious_violations
from tests.compacts.conftest import (  # noqa: F401 (cast: a fixture)
    cast,
    compact_ready,
    principles_current,
)

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": (1366, 900), "phone": (390, 844)}


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize(
    "path",
    [
        "/countries/KEN/",
        "/methodology/",
        "/registry/",
        "/releases/",
        "/data/check/",
        "/join/",
        "/principles/",
        "/about/",
        "/licence/",
        "/cite/",
        "/releases/demo-2026-11/",
        "/score-sets/current/",
    ],
)
def test_page_passes_axe_and_fits(live_server, committed_demo_data, page, artefacts, path, width):
    page.set_viewport_size(dict(zip(("width", "height"), WIDTHS[width], strict=True)))
    if path in ("/join/", "/principles/"):
        principles_current()  # the migration's version, made again after a flush
    if path == "/score-sets/current/":  # the permanent page of the index's score set
        from countries.models import ScoreSet

        digest = ScoreSet.objects.for_methodology("aimai-default").current().digest
        path = f"/score-sets/{digest}/"
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
    name = (path.strip("/").replace("/", "-") or "home")[:40]
    page.screenshot(path=str(artefacts / f"{name}-{width}.png"), full_page=True)


@pytest.mark.parametrize("width", list(WIDTHS))
def test_a_file_check_report_passes_axe_and_fits(
    live_server, committed_demo_data, page, artefacts, tmp_path, width
):
    # given a file with a good row, a row with two problems and an unknown country
    upload = tmp_path / "check.csv"
    source = "https://data.worldbank.org/indicator/IT.NET.USER.ZS (World Bank WDI)"
    upload.write_text(
        "iso3,indicator,year,value,source\n"
        f"KEN,internet_users,2022,42.5,{source}\n"
        f"KEN,internet_users,2099,250,{source}\n"
        f"Narnia,internet_users,2022,10,{source}\n"
    )
    page.set_viewport_size(dict(zip(("width", "height"), WIDTHS[width], strict=True)))
    page.goto(f"{live_server.url}/data/check/")
    # when it is checked
    page.get_by_label("File").set_input_files(str(upload))
    page.get_by_role("button", name="Check the file").click()
    # then the report names each problem by row, and the page stays readable
    errors = page.locator("#report-errors tbody tr")
    expect(errors).to_have_count(3)
    expect(errors.nth(0)).to_contain_text("year '2099' is outside")
    expect(page.locator("#report-changes")).to_contain_text("40.8137 → 42.5")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert serious_violations(page) == []
    page.screenshot(path=str(artefacts / f"data-check-report-{width}.png"), full_page=True)


@pytest.fixture
def compact_pages(committed_demo_data, request):
    """An active compact with a progress report, published offer and need, and a suggestion:
    every compacts page has something to show."""
    from django.contrib.auth.models import Group, Permission
    from django.utils import timezone

    from compacts import services
    from tests.compacts.test_pages import activate, published_pair

    # the cast's editor needs the migration's group, which an earlier flush may have emptied
    group, _ = Group.objects.get_or_create(name="Editors")
    group.permissions.add(
        *Permission.objects.filter(codename__in=["verify_organisation", "review_compact"])
    )
    members = request.getfixturevalue("cast")
    compact = activate(members, compact_ready(members))
    services.report_file(
        user=members.steward_member,
        compact=compact,
        party=compact.parties.get(organisation=members.steward),
        period_end=timezone.localdate(),
        summary="First quarter: 400 hours transcribed.",
        values={compact.outcomes.get().pk: 31},
    )
    offer, _ = published_pair(members)  # with the suggestions recomputed
    draft = services.compact_create(
        user=members.provider_owner, organisation=members.provider, role="provider", title="Draft"
    )
    return {
        "compact-edit": f"/compacts/{draft.pk}/edit/",
        "compact": f"/compacts/{compact.pk}/",
        "offer": f"/compacts/offers/{offer.pk}/",
        "organisation": f"/compacts/organisations/{members.provider.slug}/",
        "new-offer": f"/compacts/organisations/{members.provider.slug}/new-offer/",
        "dashboard": "/compacts/dashboard/",
        "members": "/members/",
        "member": f"/members/{members.provider.slug}/",
        "participate": "/participate/",
    }


MEMBERS_ONLY = ["dashboard", "new-offer", "compact-edit"]
COMPACT_PAGES = [
    "list",
    "compact",
    "offer",
    "organisation",
    "members",
    "member",
    "participate",
    *MEMBERS_ONLY,
]


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("name", COMPACT_PAGES)
def test_compact_pages_pass_axe_and_fit(live_server, compact_pages, page, artefacts, name, width):
    page.set_viewport_size(dict(zip(("width", "height"), WIDTHS[width], strict=True)))
    if name in MEMBERS_ONLY:  # the provider's owner logs in
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=login]", "ada@provider.example")
        page.fill("input[name=password]", "correct horse battery")
        page.locator("form button[type=submit]").first.click()
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto(f"{live_server.url}{compact_pages.get(name, '/compacts/')}")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.keyboard.press("Tab")
    expect(page.locator("a.skip-link")).to_be_focused()
    assert serious_violations(page) == []
    page.screenshot(path=str(artefacts / f"compacts-{name}-{width}.png"), full_page=True)
