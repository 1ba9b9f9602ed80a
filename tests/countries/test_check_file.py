"""The public "Check my file" page: the editors' report, nothing stored, limits that say so."""

import re

import pytest
from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from countries.models import DataImport, DataRelease, Observation, ReleaseEvent
from countries.services import data_release_draft_from

pytestmark = pytest.mark.django_db

FILE = (
    b"iso3,indicator,year,value,source\n"
    b"KEN,internet_users,2022,48.0,https://data.worldbank.org/indicator/IT.NET.USER.ZS\n"
    b"KEN,internet_users,2099,250,https://data.worldbank.org/indicator/IT.NET.USER.ZS\n"
    b"Narnia,internet_users,2022,20,https://data.worldbank.org/indicator/IT.NET.USER.ZS\n"
    b"Viet Nam,internet_users,2022,79.1,https://data.worldbank.org/indicator/IT.NET.USER.ZS\n"
)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def tables() -> tuple:
    return (
        Observation.objects.count(),
        DataRelease.objects.count(),
        DataImport.objects.count(),
        ReleaseEvent.objects.count(),
    )


def report_section(html: str) -> str:
    found = re.search(r'<section class="import-report".*?</section>', html, re.S)
    assert found, "no report on the page"
    return found.group(0)


def check(client, content: bytes, name: str = "file.csv", **fields):
    upload = SimpleUploadedFile(name, content, content_type="text/csv")
    return client.post("/data/check/", {"file": upload, "layout": "long", **fields})


def test_the_checker_reports_each_row_and_stores_nothing(client):
    before = tables()
    response = check(client, FILE)
    page = response.content.decode()
    assert response.status_code == 200
    assert "2 rows with errors: fix them" in page  # 2099/250 % and Narnia
    assert "2 with errors (3 problems)" in page
    assert "year &#x27;2099&#x27; is outside 1990–" in page
    assert "value 250 is outside the plausible range of internet_users" in page
    assert "unknown country &#x27;Narnia&#x27;" in page
    assert "Viet Nam" in page  # and what it was matched to
    assert "VNM Vietnam" in page
    assert tables() == before


def test_the_checker_gives_the_report_the_admin_gives(client):
    # given an editor previewing the same file in a draft copy of the current release
    editor = User.objects.create_user("ed", "ed@example.org", "pw", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    draft = data_release_draft_from(
        source=DataRelease.objects.current(),
        slug="copy",
        name="Copy",
        release_date=timezone.localdate(),
        change_note="Checked against the public checker.",
    )
    public = report_section(check(client, FILE).content.decode())
    client.force_login(editor)
    upload = SimpleUploadedFile("file.csv", FILE, content_type="text/csv")
    response = client.post(
        f"/admin/countries/datarelease/{draft.pk}/import/",
        {"file": upload, "layout": "long"},
        follow=True,
    )
    # then both pages show the very same report
    assert report_section(response.content.decode()) == public


def test_an_oversized_file_is_refused_with_its_limit(client, settings):
    settings.CHECK_MAX_BYTES = 1024
    before = tables()
    response = check(client, FILE * 20)
    assert response.status_code == 413
    assert "; the limit here is 1.0 KB." in response.content.decode()
    assert tables() == before


@pytest.mark.parametrize(
    ("content", "name", "words"),
    [
        (b"%PDF-1.7\n\x00\x01binary", "report.csv", "not a CSV or XLSX file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "data.xlsx", "not a CSV or XLSX file"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "old.xls", "old Excel (XLS)"),
        (b'{"iso3": "KEN"}', "data.csv", "not a CSV or XLSX file"),
    ],
)
def test_a_file_that_is_not_csv_or_xlsx_is_a_clear_error(client, content, name, words):
    before = tables()
    response = check(client, content, name=name)
    assert response.status_code == 400
    assert words in response.content.decode()
    assert tables() == before


def test_checks_are_rate_limited_per_address(client, settings):
    settings.CHECK_RATE_PER_HOUR = 2
    assert check(client, FILE).status_code == 200
    assert check(client, FILE).status_code == 200
    refused = check(client, FILE)
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 3601
    assert "Too many files checked" in refused.content.decode()
