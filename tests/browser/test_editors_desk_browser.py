"""The editors' desk in Chromium, from a correction to its public note: an editor starts a
correction of the current published release (the world edition), says what changed and why,
imports a file (sees its error row, cancels, fixes the file, applies it) and submits it for
review; the same editor cannot publish it, in the admin or through the API (four eyes); a
reviewer who did not edit it reads the publish preview and publishes; the country page and the
changelog then show the corrected value and the note. A screenshot at each step."""

import csv
import importlib
import io
import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from playwright.sync_api import expect

from countries.loaders import WORLD_DIR
from countries.models import (
    DataImport,
    DataRelease,
    Methodology,
    Observation,
    ScoreSet,
)
from countries.services import FOUR_EYES, NOT_A_REVIEWER_PUBLISH

pytestmark = pytest.mark.browser

PASSWORD = "a-long-pass-phrase-42"
ROLES = importlib.import_module("countries.migrations.0011_editor_and_reviewer_roles")
RELEASE_CSV = WORLD_DIR / "burden_internet_users.csv"
NEW_SOURCE = "https://data.worldbank.org/indicator/IT.NET.USER.ZS (World Bank WDI, 2026 revision)"
NOTE = "Kenya's internet use for 2022 was revised by the ITU from 40.8137 % to 42.5 %."


def role(name: str, spec: dict) -> Group:
    """A role as the migration sets it (a flushed test database has lost its groups)."""
    group, _ = Group.objects.get_or_create(name=name)
    codenames = [f"{action}_{model}" for model, actions in spec.items() for action in actions]
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="countries", codename__in=codenames)
    )
    return group


def staff(username: str, group: Group):
    user = get_user_model().objects.create_user(
        username, f"{username}@example.org", PASSWORD, is_staff=True
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    user.groups.add(group)
    return user


@pytest.fixture
def current_release(committed_demo_data):
    """The world release, current after the demo one: the release the headline scores."""
    return DataRelease.objects.get(slug="world-2026")


@pytest.fixture
def editor(current_release):
    return staff("editor", role(ROLES.EDITORS, ROLES.EDITOR_PERMISSIONS))


@pytest.fixture
def reviewer(current_release):
    return staff("reviewer", role(ROLES.REVIEWERS, ROLES.REVIEWER_PERMISSIONS))


def headline_scores():
    slug = Methodology.objects.headline().slug
    return ScoreSet.objects.for_methodology(slug).current().scores


def release_row(iso3: str) -> dict:
    with RELEASE_CSV.open(newline="", encoding="utf-8") as handle:
        return next(row for row in csv.DictReader(handle) if row["iso3"] == iso3)


def long_csv(path, rows) -> str:
    output = io.StringIO()
    writer = csv.writer(output, lineterminator="\n")
    writer.writerow(["iso3", "indicator", "year", "value", "source"])
    writer.writerows(rows)
    path.write_text(output.getvalue(), encoding="utf-8")
    return str(path)


def log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/admin/login/")  # leads to the site's log-in
    page.fill("input[name=login]", f"{username}@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.locator("#user-tools")).to_contain_text(username)


class Desk:
    """Screenshots numbered in the order they were taken."""

    def __init__(self, folder) -> None:
        self.folder, self.count = folder, 0

    def shot(self, page, name: str) -> None:
        self.count += 1
        path = self.folder / f"desk-{self.count:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)


def upload(page, base: str, release: DataRelease, path: str) -> DataImport:
    page.goto(f"{base}/admin/countries/datarelease/{release.pk}/change/")
    page.get_by_role("link", name="Import a file").click()
    page.set_input_files("input[name=file]", path)
    page.select_option("select[name=layout]", "long")
    page.get_by_role("button", name="Check the file and preview").click()
    expect(page.locator("#import-report")).to_be_visible()
    return DataImport.objects.filter(release=release).latest("pk")


def test_a_correction_from_import_to_public_note(
    live_server, current_release, editor, reviewer, page, browser, artefacts, tmp_path, eager_tasks
):
    base, desk = live_server.url, Desk(artefacts)
    source = current_release
    kenya = release_row("KEN")
    germany = release_row("DEU")
    assert (kenya["value"], kenya["year"]) == ("40.8137", "2022")

    # the editor logs in and starts a correction of the published release
    log_in(page, base, "editor")
    page.goto(f"{base}/admin/countries/datarelease/")
    page.check(f"input[name=_selected_action][value='{source.pk}']")
    page.select_option("select[name=action]", "start_correction")
    page.get_by_role("button", name="Go").click()
    expect(page.get_by_text("holds a copy of world-2026")).to_be_visible()
    draft = DataRelease.objects.get(corrects=source)
    slug = draft.slug
    assert slug == f"world-2026-correction-{draft.release_date:%Y%m%d}"
    expect(page.get_by_text(f"Draft {slug} holds a copy of world-2026")).to_be_visible()
    assert draft.status == "draft"
    assert draft.corrects == source
    assert draft.observations.count() == source.observations.count()
    desk.shot(page, "editor-correction-started")

    # says what changed and why (the form asks for the reason of the edit too)
    page.goto(f"{base}/admin/countries/datarelease/{draft.pk}/change/")
    page.fill("textarea[name=change_note]", NOTE)
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.get_by_text("Say why: every change to this data needs a reason.")).to_be_visible()
    page.fill("input[name=change_reason]", "public note of the correction")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator("ul.messagelist")).to_contain_text("was changed successfully")
    draft.refresh_from_db()
    assert draft.change_note == NOTE
    desk.shot(page, "editor-change-note")

    # imports a file with a bad row: the preview names the row and why; nothing is written
    rows = [
        ["KEN", "internet_users", "2022", "42.5", NEW_SOURCE],
        ["DEU", "internet_users", germany["year"], germany["value"], germany["source"]],
        ["KEN", "internet_users", "2099", "250", NEW_SOURCE],
    ]
    bad = upload(page, base, draft, long_csv(tmp_path / "kenya-internet.csv", rows))
    errors = page.locator("#report-errors tbody tr")
    expect(page.locator("#report-summary")).to_contain_text("1 with errors (2 problems)")
    expect(errors).to_have_count(2)
    expect(errors.nth(0).locator("td").first).to_have_text("4")
    expect(errors.nth(0)).to_contain_text("year '2099' is outside 1990–")
    expect(errors.nth(1).locator("td").first).to_have_text("4")
    expect(errors.nth(1)).to_contain_text(
        "value 250 is outside the plausible range of internet_users"
    )
    expect(page.locator("p.errornote")).to_contain_text("This file has 2 errors")
    expect(page.get_by_role("button", name="Apply", exact=False)).to_have_count(0)
    desk.shot(page, "editor-preview-errors")
    page.get_by_role("button", name="Cancel this import").click()
    expect(page.get_by_text("Cancelled kenya-internet.csv; nothing written.")).to_be_visible()
    bad.refresh_from_db()
    assert bad.status == "cancelled"
    assert draft.observations.get(country__iso3="KEN", indicator__code="internet_users").value == (
        40.8137
    )

    # fixes the file and imports it again: one value changes, old → new; applies it
    good = upload(page, base, draft, long_csv(tmp_path / "kenya-internet.csv", rows[:2]))
    expect(page.locator("#report-summary")).to_contain_text("1 changing a value")
    expect(page.locator("#report-summary")).to_contain_text("0 with errors")
    expect(page.locator("#report-errors")).to_have_count(0)
    change = page.locator("#report-changes tbody tr")
    expect(change).to_have_count(1)
    expect(change).to_contain_text("KEN")
    expect(change).to_contain_text("internet_users")
    expect(change).to_contain_text("2022")
    expect(change).to_contain_text("40.8137 → 42.5")
    desk.shot(page, "editor-preview-fixed")
    apply = page.get_by_role("button", name="Apply: write 0 new and 1 changed value")
    expect(apply).to_have_class("button default")
    apply.click()
    expect(page.get_by_text("Applied kenya-internet.csv: 0 added, 1 changed.")).to_be_visible()
    good.refresh_from_db()
    assert good.status == "applied"
    kept = draft.observations.get(country__iso3="KEN", indicator__code="internet_users")
    assert (kept.year, kept.value, kept.source_url) == (2022, 42.5, NEW_SOURCE.split(" ")[0])

    # submits it for review
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text(f"{draft} is submitted for review.")).to_be_visible()
    draft.refresh_from_db()
    assert draft.status == "in_review"
    desk.shot(page, "editor-submitted")

    # an editor is no reviewer: the publish page refuses
    page.goto(f"{base}/admin/countries/datarelease/{draft.pk}/publish/")
    refused = page.locator("#publish-refused")
    expect(refused).to_have_text(str(NOT_A_REVIEWER_PUBLISH))
    expect(page.get_by_role("button", name="Yes, publish", exact=False)).to_have_count(0)

    # nor may an editor who reviews too publish what they edited: four eyes, in the admin...
    editor.groups.add(Group.objects.get(name=ROLES.REVIEWERS))
    page.reload()
    expect(refused).to_have_text(FOUR_EYES.format(slug=slug))
    expect(page.get_by_role("button", name="Yes, publish", exact=False)).to_have_count(0)
    desk.shot(page, "editor-publish-refused")
    # ...and through the API, over HTTP with the browser's session
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    response = page.request.post(
        f"{base}/api/v1/releases/{slug}/publish/", headers={"X-CSRFToken": csrf}
    )
    assert response.status == 403, response.text()
    assert response.json() == {
        "code": "four_eyes",
        "message": FOUR_EYES.format(slug=slug),
        "fields": {},
    }
    draft.refresh_from_db()
    assert draft.status == "in_review"
    assert draft.published_at is None

    # a reviewer who did not edit it reads what publishing changes, then publishes
    context = browser.new_context()
    review = context.new_page()
    log_in(review, base, "reviewer")
    review.goto(f"{base}/admin/countries/datarelease/{draft.pk}/change/")
    review.get_by_role("link", name="Review and publish…").click()
    expect(review.get_by_text(NOTE)).to_be_visible()
    expect(review.locator("#change-totals")).to_have_text("0 values added, 1 changed, 0 removed.")
    per_indicator = review.locator("#changes-per-indicator tbody tr")
    expect(per_indicator).to_have_count(1)
    expect(per_indicator.locator("td")).to_have_text(
        ["Individuals using the Internet internet_users", "0", "1", "0"]
    )
    expect(review.locator("#value-changes tbody tr")).to_have_text(
        ["internet_users KEN 2022 40.8137 42.5"], use_inner_text=True
    )
    kenya_row = review.locator("#rank-changes tbody tr").filter(has_text="Kenya (KEN)")
    expect(kenya_row).to_have_count(1)
    cells = kenya_row.locator("td")
    rank_now = headline_scores().get(country__iso3="KEN")
    expect(cells.nth(2)).to_have_text(str(rank_now.rank))
    expect(cells.nth(4)).to_have_text(re.compile(r"^\d+$"))
    rank_after = cells.nth(4).inner_text()
    # one changed value moves no country in or out of the ranking, and the table lists only
    # countries ranked before or after
    shifts = review.locator("#rank-changes tbody td:nth-child(6)")
    expect(shifts.filter(has_text=re.compile("newly ranked|no longer ranked"))).to_have_count(0)
    ranks = review.locator("#rank-changes tbody tr").evaluate_all(
        "rows => rows.map(r => [r.cells[2].innerText, r.cells[4].innerText])"
    )
    assert ranks
    assert all(now != "—" and after != "—" for now, after in ranks), ranks
    expect(cells.nth(5)).to_have_text(re.compile(r"^(=|▲ \d+|▼ \d+)$"))
    desk.shot(review, "reviewer-publish-preview")
    review.get_by_role("button", name=f"Yes, publish {draft}").click()
    expect(
        review.get_by_text(f"{draft} is published; the index is being recomputed.")
    ).to_be_visible()
    desk.shot(review, "reviewer-published")
    draft.refresh_from_db()
    assert draft.status == "published"
    assert draft.published_by == reviewer
    assert DataRelease.objects.current() == draft
    # the recompute ran: the new headline scores rank Kenya as the preview said
    assert str(headline_scores().get(country__iso3="KEN").rank) == rank_after
    assert (
        Observation.objects.get(
            release=draft, country__iso3="KEN", indicator__code="internet_users"
        ).value
        == 42.5
    )

    # the public country page shows the new value and the correction's note
    public = context.new_page()
    public.goto(f"{base}/countries/KEN/")
    row = public.locator("section.dimension tr").filter(has_text="Individuals using the Internet")
    expect(row).to_contain_text("2022")
    expect(row.locator("td.num")).to_have_text("42.5")
    corrections = public.locator("section.correction")
    expect(public.locator("#corrections")).to_be_visible()
    expect(corrections).to_have_count(1)
    expect(corrections.locator(".change-note")).to_have_text(NOTE)
    expect(corrections).to_contain_text("Individuals using the Internet, 2022: 40.8137 → 42.5")
    expect(corrections).to_contain_text(f"correcting {source.name}")
    desk.shot(public, "public-country-correction")

    # and the changelog lists the correction with its note
    public.goto(f"{base}/releases/")
    entry = public.locator(f"#release-{slug}")
    expect(entry).to_contain_text(draft.name)
    expect(entry).to_contain_text(f"corrects {source.name}")
    expect(entry.locator(".change-note")).to_contain_text(NOTE)
    expect(entry.locator(".changelog")).to_have_text(
        "Against the release before it: 0 values added, 1 changed, 0 removed."
    )
    desk.shot(public, "public-changelog")
    context.close()
