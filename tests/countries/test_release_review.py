"""Releases go through four eyes: editors import and submit, a reviewer who did not edit the
release sees what it changes and publishes it; corrections are public, changes have reasons."""

import hashlib
import json

import pytest
from django.contrib.auth.models import Group, User
from django.utils import timezone

from aimai_site.errors import DomainError, Forbidden
from countries.choices import ReleaseAction, ReleaseStatus
from countries.imports import observations_import
from countries.models import Country, DataImport, DataRelease, Observation, ReleaseChange
from countries.review import release_publish_preview
from countries.services import (
    FOUR_EYES,
    NOTE_REQUIRED,
    REASON_REQUIRED,
    data_release_draft_from,
    data_release_publish,
    data_release_return,
    data_release_submit,
)
from registry.models import Entry

pytestmark = pytest.mark.django_db

KENYA_FILE = (
    b"iso3,indicator,year,value,source\n"
    b"KEN,internet_users,2022,48.0,https://data.worldbank.org/indicator/IT.NET.USER.ZS (WDI)\n"
)


def person(name: str, group: str) -> User:
    user = User.objects.create_user(name, f"{name}@example.org", "pw", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return User.objects.get(pk=user.pk)  # fresh: permissions are cached per instance


@pytest.fixture
def editor():
    return person("editor", "Editors")


@pytest.fixture
def reviewer():
    return person("reviewer", "Reviewers")


def kenya_corrected(editor, source: DataRelease, slug: str, name: str) -> DataRelease:
    """A correction of `source` in which the editor changed Kenya's internet use."""
    draft = data_release_draft_from(
        source=source,
        slug=slug,
        name=name,
        release_date=timezone.localdate(),
        user=editor,
        change_note="Kenya's internet use for 2022 as the ITU revised it.",
    )
    report, applied = observations_import(
        release=draft, content=KENYA_FILE, filename="kenya.csv", user=editor
    )
    assert report["ok"], report["errors"]
    assert applied is not None
    draft.refresh_from_db()
    return draft


@pytest.fixture
def correction(editor):
    """A correction of the demo release."""
    demo = DataRelease.objects.get(slug="demo-2026-11")
    return kenya_corrected(editor, demo, "demo-fix", "Demo, corrected")


@pytest.fixture
def world_correction(editor):
    """A correction of the current release, world-2026, which the headline scores."""
    world = DataRelease.objects.get(slug="world-2026")
    assert DataRelease.objects.current() == world
    return kenya_corrected(editor, world, "world-fix", "World, corrected")


def kenya_internet(release) -> float:
    return release.observations.get(
        country__iso3="KEN", indicator__code="internet_users", year=2022
    ).value


def test_the_editor_who_imported_cannot_publish_even_as_a_superuser(correction, editor):
    # given the editor is also a reviewer and a superuser
    editor.groups.add(Group.objects.get(name="Reviewers"))
    editor.is_superuser = True
    editor.save()
    data_release_submit(release=correction, user=editor)
    # when they publish their own release
    with pytest.raises(Forbidden) as refused:
        data_release_publish(release=correction, user=editor)
    # then it is refused and nothing changes
    assert refused.value.message == FOUR_EYES.format(slug="demo-fix")
    correction.refresh_from_db()
    assert correction.status == ReleaseStatus.IN_REVIEW
    assert not ReleaseChange.objects.filter(release=correction).exists()


def test_a_reviewer_who_did_not_edit_publishes_and_the_changes_are_recorded(
    correction, editor, reviewer, eager_tasks
):
    data_release_submit(release=correction, user=editor)
    published = data_release_publish(release=correction, user=reviewer)
    assert published.status == ReleaseStatus.PUBLISHED
    assert published.published_by == reviewer
    assert kenya_internet(published) == 48.0
    change = ReleaseChange.objects.get(release=published)
    assert (change.country.iso3, change.indicator.code, change.kind) == (
        "KEN",
        "internet_users",
        "changed",
    )
    assert change.new_value == 48.0
    actions = list(published.events.values_list("action", "actor__username"))
    assert actions == [
        (ReleaseAction.CREATED, "editor"),
        (ReleaseAction.IMPORTED, "editor"),
        (ReleaseAction.SUBMITTED, "editor"),
        (ReleaseAction.PUBLISHED, "reviewer"),
    ]


def test_the_registry_entry_carries_the_digest_of_the_correction_note(
    correction, editor, reviewer, eager_tasks
):
    data_release_submit(release=correction, user=editor)
    data_release_publish(release=correction, user=reviewer)
    entry = Entry.objects.get(identifier="demo-fix")
    document = json.loads(entry.entry)
    note = correction.change_note.encode("utf-8")
    assert document["note_digest"] == hashlib.sha256(note).hexdigest()


def test_a_draft_must_be_submitted_before_it_is_published(correction, reviewer):
    with pytest.raises(DomainError, match="only a release in review can be published"):
        data_release_publish(release=correction, user=reviewer)


def test_editors_cannot_publish_without_the_reviewers_role(correction, editor):
    other = person("other-editor", "Editors")
    data_release_submit(release=correction, user=editor)
    with pytest.raises(Forbidden, match="Only reviewers may publish"):
        data_release_publish(release=correction, user=other)


def test_returning_needs_a_reason_and_reopens_the_draft(correction, editor, reviewer):
    data_release_submit(release=correction, user=editor)
    with pytest.raises(DomainError) as refused:
        data_release_return(release=correction, user=reviewer, reason="  ")
    assert refused.value.message == REASON_REQUIRED
    data_release_return(release=correction, user=reviewer, reason="Cite the ITU table.")
    correction.refresh_from_db()
    assert correction.status == ReleaseStatus.DRAFT
    assert correction.events.last().reason == "Cite the ITU table."


def test_a_release_in_review_takes_no_imports(correction, editor):
    data_release_submit(release=correction, user=editor)
    with pytest.raises(DomainError, match="only a draft changes"):
        observations_import(release=correction, content=KENYA_FILE, filename="k.csv")


def test_a_correction_needs_its_note(editor):
    demo = DataRelease.objects.get(slug="demo-2026-11")
    draft = data_release_draft_from(
        source=demo, slug="no-note", name="No note", release_date=timezone.localdate()
    )
    with pytest.raises(DomainError) as refused:
        data_release_submit(release=draft, user=editor)
    assert refused.value.message == NOTE_REQUIRED


def test_the_publish_preview_shows_values_and_ranks_without_storing_anything(world_correction):
    # given a correction of the current release that changes Kenya's internet use
    before = (Observation.objects.count(), DataRelease.objects.count(), Entry.objects.count())
    # when the reviewer previews it
    preview = release_publish_preview(release=world_correction)
    # then the value change is listed with its indicator, and every scored country's rank
    # now and after is there, computed from the draft
    assert [(row.code, row.changed, row.added, row.removed) for row in preview.per_indicator] == [
        ("internet_users", 1, 0, 0)
    ]
    assert preview.totals == {"changed": 1}
    assert preview.base.slug == "world-2026"
    kenya = next(m for m in preview.moves if m.iso3 == "KEN")
    assert kenya.rank_now is not None
    assert kenya.rank_after is not None
    assert kenya.score_change > 0  # more internet use, less burden, a higher AIMAI
    assert len(preview.moves) == 184  # every country the headline ranks, now and after
    assert preview.methodology == "aimai-default 2.0"
    assert (
        Observation.objects.count(),
        DataRelease.objects.count(),
        Entry.objects.count(),
    ) == before


def test_the_publish_preview_matches_the_score_set_publishing_makes(
    world_correction, editor, reviewer, eager_tasks, django_capture_on_commit_callbacks
):
    from countries.models import ScoreSet

    preview = {
        m.iso3: (m.score_after, m.rank_after)
        for m in release_publish_preview(release=world_correction).moves
    }
    data_release_submit(release=world_correction, user=editor)
    with django_capture_on_commit_callbacks(execute=True):
        data_release_publish(release=world_correction, user=reviewer)
    current = ScoreSet.objects.for_methodology("aimai-default").current()
    assert current.release == world_correction
    assert current.methodology_version.version == "2.0"
    stored = {
        iso3: (aimai, rank)
        for iso3, aimai, rank in current.scores.exclude(rank=None).values_list(
            "country__iso3", "aimai", "rank"
        )
    }
    assert len(stored) == 184
    assert stored == preview


def test_country_pages_and_the_changelog_show_corrections(
    client, correction, editor, reviewer, eager_tasks
):
    data_release_submit(release=correction, user=editor)
    data_release_publish(release=correction, user=reviewer)
    kenya = client.get("/countries/KEN/").content.decode()
    assert 'id="corrections"' in kenya
    assert "Kenya&#x27;s internet use for 2022 as the ITU revised it." in kenya
    norway = client.get("/countries/NOR/").content.decode()
    assert 'id="corrections"' not in norway  # untouched by the correction
    changelog = client.get("/releases/").content.decode()
    assert "Demo, corrected" in changelog
    assert "1 changed" in changelog


# --- the same rules through the API and the admin -----------------------------------------


@pytest.fixture
def api_as(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def test_the_api_refuses_the_editor_publishing_alone(api_as, correction, editor):
    editor.groups.add(Group.objects.get(name="Reviewers"))  # a reviewer too: still refused
    client = api_as(User.objects.get(pk=editor.pk))
    submitted = client.post("/api/v1/releases/demo-fix/submit/")
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["status"] == "in_review"
    refused = client.post("/api/v1/releases/demo-fix/publish/")
    assert refused.status_code == 403
    assert refused.json()["message"] == FOUR_EYES.format(slug="demo-fix")
    correction.refresh_from_db()
    assert correction.status == ReleaseStatus.IN_REVIEW


def test_the_api_publishes_for_a_second_reviewer(api_as, correction, editor, reviewer):
    api_as(editor).post("/api/v1/releases/demo-fix/submit/")
    published = api_as(reviewer).post("/api/v1/releases/demo-fix/publish/")
    assert published.status_code == 200, published.content
    assert published.json()["status"] == "published"
    assert published.json()["corrects"] == "demo-2026-11"


def test_the_api_imports_a_file_and_reports_errors_by_row(api_as, correction, editor):
    client = api_as(editor)
    bad = KENYA_FILE + b"KEN,internet_users,2099,250,https://data.worldbank.org/x\n"
    before = Observation.objects.count(), DataImport.objects.count()
    response = client.post("/api/v1/releases/demo-fix/imports/", {"file": _upload("bad.csv", bad)})
    assert response.status_code == 400
    errors = response.json()["report"]["errors"]
    assert [(e["row"], e["code"]) for e in errors] == [(3, "bad_year"), (3, "out_of_range")]
    assert (Observation.objects.count(), DataImport.objects.count()) == before
    dry = client.post(
        "/api/v1/releases/demo-fix/imports/",
        {"file": _upload("k.csv", KENYA_FILE), "dry_run": "true"},
    )
    assert dry.status_code == 200
    assert dry.json()["report"]["unchanged"] == 1  # the correction already holds it


def test_the_api_import_is_for_editors_only(api_as, correction, reviewer):
    response = api_as(reviewer).post(
        "/api/v1/releases/demo-fix/imports/", {"file": _upload("k.csv", KENYA_FILE)}
    )
    assert response.status_code == 403


def test_the_admin_refuses_the_editor_publishing_alone(api_as, correction, editor):
    editor.groups.add(Group.objects.get(name="Reviewers"))
    client = api_as(editor)
    client.post(f"/admin/countries/datarelease/{correction.pk}/submit/")
    page = client.get(f"/admin/countries/datarelease/{correction.pk}/publish/")
    assert 'id="publish-refused"' in page.content.decode()
    client.post(f"/admin/countries/datarelease/{correction.pk}/publish/", {"confirm": "publish"})
    correction.refresh_from_db()
    assert correction.status == ReleaseStatus.IN_REVIEW


def test_changing_reference_data_needs_a_reason_kept_in_the_history(api_as, editor):
    client = api_as(editor)
    kenya = Country.objects.get(iso3="KEN")
    url = f"/admin/countries/country/{kenya.pk}/change/"
    fields = {
        "name": kenya.name,
        "official_name": kenya.official_name,
        "region": kenya.region,
        "subregion": kenya.subregion,
        "intermediate_region": kenya.intermediate_region,
        "income_group": "low",
        "income_group_year": kenya.income_group_year,
        "income_group_source": kenya.income_group_source,
    }
    refused = client.post(url, fields)
    assert "every change to this data needs a reason" in refused.content.decode()
    assert Country.objects.get(iso3="KEN").income_group != "low"
    saved = client.post(url, {**fields, "change_reason": "World Bank FY2027 list"})
    assert saved.status_code == 302
    latest = Country.history.filter(iso3="KEN").latest("history_date")
    assert (latest.income_group, latest.history_change_reason) == ("low", "World Bank FY2027 list")
    history = client.get(f"/admin/countries/country/{kenya.pk}/history/").content.decode()
    assert "World Bank FY2027 list" in history


def _upload(name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="text/csv")


def test_the_editor_sees_why_a_release_came_back(api_as, correction, editor, reviewer):
    data_release_submit(release=correction, user=editor)
    data_release_return(release=correction, user=reviewer, reason="Cite the ITU table, please.")
    page = api_as(editor).get(f"/admin/countries/datarelease/{correction.pk}/change/")
    text = page.content.decode()
    assert 'id="returned-reason"' in text
    assert "Cite the ITU table, please." in text
    assert "History: who did what, when and why" in text


def test_the_publish_preview_lists_the_values_flagged_for_review(correction, editor):
    # given an import that flags Tanzania's internet use as a suspicious drop
    source = "https://data.worldbank.org/indicator/IT.NET.USER.ZS (WDI)"
    content = f"iso3,indicator,year,value,source\nTZA,internet_users,2023,3.0,{source}\n"
    report, applied = observations_import(
        release=correction, content=content.encode(), filename="tza.csv", user=editor
    )
    assert applied is not None
    assert report["flag_count"] == 1
    # when the reviewer previews the release, the flag is there with its reason
    preview = release_publish_preview(release=correction)
    assert preview.flagged_count == 1
    flagged = preview.flagged[0]
    assert (flagged.country.iso3, flagged.year, flagged.value) == ("TZA", 2023, 3.0)
    assert flagged.flag == report["flags"][0]["reason"]
