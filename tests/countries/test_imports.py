"""Observation files into draft releases: the rules every file meets, the preview, the apply
in one transaction, and the files that must be refused whole.

The files under fixtures/imports/ are shaped like the real downloads (the World Bank's WDI
CSV with its preamble, a DataBank export, long files with codes or names); the workbooks are
built here, the hostile ones part by part with zipfile.
"""

import csv
import hashlib
import io
import zipfile
from datetime import date
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from django.utils import timezone

from aimai_site.errors import DomainError, InvalidInput
from countries.choices import ImportLayout, ImportStatus, ReleaseAction
from countries.imports import (
    data_import_apply,
    data_import_cancel,
    data_import_preview,
    file_assess,
    observations_import,
)
from countries.intake.files import rows
from countries.models import (
    DataImport,
    DataRelease,
    ImportMapping,
    Observation,
    ReleaseChange,
    ReleaseEvent,
)
from countries.services import (
    data_release_create,
    data_release_draft_from,
    data_release_publish,
    data_release_submit,
)

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures" / "imports"
THIS_YEAR = timezone.now().year
WDI_NET = "https://data.worldbank.org/indicator/IT.NET.USER.ZS (World Bank WDI)"
WDI_GDP = "https://data.worldbank.org/indicator/NY.GDP.PCAP.PP.KD (World Bank WDI)"
WDI_MAPPING = {
    "layout": "wide",
    "country_column": "Country Code",
    "indicator_column": "Indicator Code",
    "indicator_codes": {"IT.NET.USER.ZS": "internet_users"},
    "source": WDI_NET,
}
LONG_HEADER = "iso3,indicator,year,value,source\n"
RANGE = "(0–100 % of population)"  # internet_users in the demo data
SOURCE_HELP = "give the source as a URL, optionally followed by a note in brackets"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def long_csv(*lines: str) -> bytes:
    return (LONG_HEADER + "".join(f"{line}\n" for line in lines)).encode()


def snapshot() -> dict:
    """Every table an import could touch, with a checksum over every observation's content."""
    rows = Observation.objects.order_by("pk").values_list(
        "pk", "release_id", "country_id", "indicator_id", "year", "value", "source_url", "note"
    )
    extra = Observation.objects.order_by("pk").values_list("provenance", "flag")
    content = repr((list(rows), list(extra))).encode()
    return {
        "observations": Observation.objects.count(),
        "observation_checksum": hashlib.sha256(content).hexdigest(),
        "imports": DataImport.objects.count(),
        "releases": list(
            DataRelease.objects.order_by("pk").values_list("pk", "slug", "status", "content_digest")
        ),
        "events": ReleaseEvent.objects.count(),
        "changes": ReleaseChange.objects.count(),
        "editors": list(
            DataRelease.editors.through.objects.order_by("pk").values_list(
                "datarelease_id", "user_id"
            )
        ),
    }


def without_imports(state: dict) -> dict:
    return {k: v for k, v in state.items() if k != "imports"}


def problems(report) -> list[tuple]:
    """(row, column, code, message) of every error, by row, as a person would read them."""
    entries = report.errors if hasattr(report, "errors") else report["errors"]
    as_tuples = [
        (e.row, e.column, e.code, e.message)
        if hasattr(e, "row")
        else (e["row"], e["column"], e["code"], e["message"])
        for e in entries
    ]
    return sorted(as_tuples, key=lambda p: p[0])


def entries(items: list[dict]) -> list[tuple]:
    return [
        (i["row"], i["column"], i["country"], i["indicator"], i["year"], i["old"], i["new"])
        for i in items
    ]


def value_of(release, iso3: str, code: str, year: int) -> Observation:
    return Observation.objects.get(
        release=release, country__iso3=iso3, indicator__code=code, year=year
    )


def spread(release, code: str, year: int, iso3: str, file_values: dict, *, log=False) -> str:
    """The "far from the others" reason for `iso3`, worked out here apart from the rules: its
    distance in standard deviations from the indicator's values that year, the release's
    values replaced by the file's."""
    values = dict(
        Observation.objects.filter(release=release, indicator__code=code, year=year).values_list(
            "country__iso3", "value"
        )
    )
    values.update(file_values)
    x = np.array(list(values.values()))
    x = np.log10(x) if log else x
    own = np.log10(values[iso3]) if log else values[iso3]
    z = abs(own - x.mean()) / x.std()
    assert z > 3
    scale = " on a log scale" if log else ""
    return f"{z:.1f} standard deviations from the {len(x)} countries' values that year{scale}"


@pytest.fixture
def draft():
    """A correction draft holding a copy of every value of the published demo release."""
    return data_release_draft_from(
        source=DataRelease.objects.current(),
        slug="imports-correction",
        name="Correction: internet use",
        release_date=date(2026, 12, 1),
        change_note="Internet use updated from the World Bank's October download.",
    )


@pytest.fixture
def empty_draft():
    return data_release_create(
        slug="imports-new", name="New edition", release_date=date(2026, 12, 1)
    )


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_user("editor", "editor@example.org", "x")


# --- workbooks --------------------------------------------------------------------------


def workbook(sheets: dict[str, list[list]]) -> bytes:
    """A real XLSX written by openpyxl: numbers stay numbers, as Excel keeps them."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, cells in sheets.items():
        sheet = book.create_sheet(title)
        for row in cells:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


SPREADSHEET = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE = "http://schemas.openxmlformats.org/package/2006"
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
SHEET_XML = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{SPREADSHEET}">'
    '<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
    '<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2"><v>2023</v></c></row></sheetData>'
    "</worksheet>"
)
STRINGS_XML = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{SPREADSHEET}" '
    'count="3" uniqueCount="3"><si><t>iso3</t></si><si><t>year</t></si><si><t>KEN</t></si>'
    "</sst>"
)
LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>\n'
)


def handmade_xlsx(sheet: bytes | str = SHEET_XML, strings: bytes | str = STRINGS_XML) -> bytes:
    """The parts of an XLSX package Excel writes, one by one, so any one can be swapped."""
    parts = {
        "[Content_Types].xml": (
            f'<Types xmlns="{PACKAGE}/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{CONTENT_TYPE}.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            f'ContentType="{CONTENT_TYPE}.worksheet+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" '
            f'ContentType="{CONTENT_TYPE}.sharedStrings+xml"/></Types>'
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{PACKAGE}/relationships"><Relationship Id="rId1" '
            f'Type="{RELATIONS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{SPREADSHEET}" xmlns:r="{RELATIONS}"><sheets>'
            '<sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{PACKAGE}/relationships">'
            f'<Relationship Id="rId1" Type="{RELATIONS}/worksheet" '
            'Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{RELATIONS}/sharedStrings" '
            'Target="sharedStrings.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": sheet,
        "xl/sharedStrings.xml": strings,
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


def with_declared_size(content: bytes, name: str, size: int) -> bytes:
    """`content` with the uncompressed size of `name` rewritten in its ZIP headers: a bomb
    that lies about what it holds."""
    data = bytearray(content)
    info = zipfile.ZipFile(io.BytesIO(content)).getinfo(name)
    data[info.header_offset + 22 : info.header_offset + 26] = size.to_bytes(4, "little")
    central = data.find(b"PK\x01\x02")
    while central != -1:
        name_length = int.from_bytes(data[central + 28 : central + 30], "little")
        if data[central + 46 : central + 46 + name_length] == name.encode():
            data[central + 24 : central + 28] = size.to_bytes(4, "little")
        central = data.find(b"PK\x01\x02", central + 4)
    assert zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo(name).file_size == size
    return bytes(data)


def test_the_handmade_workbook_reads_like_excels():
    # the builder of the hostile workbooks below makes a workbook that reads, untouched
    fmt, stream = rows(handmade_xlsx())
    assert fmt == "xlsx"
    assert [(row.number, row.cells) for row in stream] == [
        (1, ["iso3", "year"]),
        (2, ["KEN", "2023"]),
    ]


# --- every error, with its row ----------------------------------------------------------


def test_every_kind_of_error_is_reported_with_its_row_and_message(draft):
    # given a long file with one valid row and one row for each kind of error
    content = fixture("long_errors.csv")
    # when it is checked against the draft
    report = file_assess(content=content, release=draft).report
    # then every problem is told, by its row in the file, with a stable code
    assert problems(report) == [
        (3, "", "unknown_country", "unknown country 'Kenia'; did you mean KEN (Kenya)?"),
        (
            4,
            "",
            "unknown_indicator",
            "unknown indicator 'internet_user'; did you mean internet_users?",
        ),
        (5, "", "not_a_number", "value '79,1 %' is not a number"),
        (6, "", "not_finite", "value 'inf' is not a finite number"),
        (7, "", "not_finite", "value 'nan' is not a finite number"),
        (8, "", "bad_year", f"year '2099' is outside 1990–{THIS_YEAR}"),
        (9, "", "bad_year", f"year '1985' is outside 1990–{THIS_YEAR}"),
        (
            10,
            "",
            "out_of_range",
            f"value -3 is outside the plausible range of internet_users {RANGE}",
        ),
        (11, "", "duplicate", "a second value for KEN internet_users 2023 (first given in row 2)"),
        (12, "", "bad_source", f"missing source: {SOURCE_HELP}"),
        (
            13,
            "",
            "bad_source",
            "source 'ftp://data.worldbank.org/IT.NET.USER.ZS' does not start with an http(s) "
            f"URL: {SOURCE_HELP}",
        ),
        (
            14,
            "",
            "bad_source",
            f"source 'World Bank WDI' does not start with an http(s) URL: {SOURCE_HELP}",
        ),
        (15, "", "missing_value", "the value is missing"),
        (16, "", "bad_year", f"year '2099' is outside 1990–{THIS_YEAR}"),
        (
            16,
            "",
            "out_of_range",
            f"value 250 is outside the plausible range of internet_users {RANGE}",
        ),
    ]
    assert report.error_counts == {
        "unknown_country": 1,
        "unknown_indicator": 1,
        "not_a_number": 1,
        "not_finite": 2,
        "bad_year": 3,
        "out_of_range": 2,
        "bad_source": 3,
        "missing_value": 1,
        "duplicate": 1,
    }
    assert (report.error_count, report.ok) == (15, False)
    # and the one good row is still read: it would be added
    assert (report.values_read, report.added) == (15, 1)


def test_kenyas_internet_use_of_250_percent_in_2099_is_refused_with_its_reasons(draft):
    # given the file from the issue: Kenya's internet users in 2099, 250 % of the population
    content = long_csv(f"KEN,internet_users,2099,250,{WDI_NET}")
    before = snapshot()
    # when it is imported in one step
    report, applied = observations_import(
        release=draft, content=content, filename="kenya.csv", user=None
    )
    # then it is refused with both reasons, and nothing at all is stored
    assert applied is None
    assert [(e["row"], e["code"], e["message"]) for e in report["errors"]] == [
        (2, "bad_year", f"year '2099' is outside 1990–{THIS_YEAR}"),
        (2, "out_of_range", f"value 250 is outside the plausible range of internet_users {RANGE}"),
    ]
    assert snapshot() == before
    assert not Observation.objects.filter(country__iso3="KEN", year=2099).exists()


def test_a_wide_file_reports_errors_by_row_column_letter_and_header(empty_draft):
    # given a WDI download with an unknown country code, a second series nobody mapped, a
    # decimal comma, an infinity, a percentage over 100 and a regional aggregate
    content = fixture("wdi_errors.csv")
    # when
    report = file_assess(content=content, mapping=WDI_MAPPING, release=empty_draft).report
    # then each cell in error is named by its row, column letter and year header
    errors = problems(report)
    chi = [e for e in errors if e[0] == 7]
    assert [e[:3] for e in chi] == [(7, "G (2023)", "unknown_country")]
    assert chi[0][3].startswith("unknown country 'CHI'; ")
    assert [e for e in errors if e[0] != 7] == [
        (8, "F (2022)", "not_a_number", "value '79,1' is not a number"),
        (8, "G (2023)", "not_finite", "value 'inf' is not a finite number"),
        (9, "E (2021)", "unknown_indicator", "unknown indicator 'IT.NET.BBND.P2'"),
        (9, "F (2022)", "unknown_indicator", "unknown indicator 'IT.NET.BBND.P2'"),
        (
            10,
            "F (2022)",
            "out_of_range",
            f"value 250 is outside the plausible range of internet_users {RANGE}",
        ),
    ]
    assert [(s.row, s.message) for s in report.skipped] == [
        (11, "'EMU' is a group of countries, not a country: skipped")
    ]
    # and the good cells would be added: Kenya's three years, Viet Nam's 2021, Türkiye's 2021
    assert sorted((a.row, a.column) for a in report.additions) == [
        (6, "E (2021)"),
        (6, "F (2022)"),
        (6, "G (2023)"),
        (8, "E (2021)"),
        (10, "E (2021)"),
    ]


# --- suspicious, not wrong --------------------------------------------------------------


def test_suspicious_values_are_flagged_with_reasons_and_applied_with_their_flag(draft, editor):
    # given a file with a jump in Kenya's internet use, a GDP per capita far below every
    # other country's (on a log scale), a large revision and a value that is just fine
    content = (
        LONG_HEADER
        + f"KEN,internet_users,2023,90,{WDI_NET}\n"
        + f"CUB,gdp_pc_ppp,2023,1.5,{WDI_GDP}\n"
        + f"VNM,internet_users,2023,20,{WDI_NET}\n"
        + f"FRA,internet_users,2023,87.1,{WDI_NET}\n"
    ).encode()
    internet = {"KEN": 90, "VNM": 20, "FRA": 87.1}
    expected = {
        ("KEN", "internet_users"): "+121% from 2022 (40.8137 → 90); this indicator flags "
        "changes over 50%",
        ("CUB", "gdp_pc_ppp"): spread(draft, "gdp_pc_ppp", 2023, "CUB", {"CUB": 1.5}, log=True),
        # far below the others that year, and a large revision of the value it replaces
        ("VNM", "internet_users"): spread(draft, "internet_users", 2023, "VNM", internet)
        + "; replaces 78.08 with 20 (-74%)",
    }
    # when it is previewed
    data_import = data_import_preview(
        release=draft, content=content, filename="flags.csv", user=editor
    )
    # then the three are flagged with their reasons, and none of them is an error
    report = data_import.report
    assert {(f["country"], f["indicator"]): f["reason"] for f in report["flags"]} == expected
    assert sorted(f["row"] for f in report["flags"]) == [2, 3, 4]
    assert (report["error_count"], data_import.flagged) == (0, 3)
    # when it is applied, the flags travel with the values for the reviewer
    data_import_apply(data_import=data_import, user=editor)
    for (iso3, code), reason in expected.items():
        assert value_of(draft, iso3, code, 2023).flag == reason
    france = value_of(draft, "FRA", "internet_users", 2023)
    assert (france.value, france.flag) == (87.1, "")


# --- the preview ------------------------------------------------------------------------


def test_the_preview_lists_additions_changes_unchanged_rows_and_errors(draft, editor):
    # given a file adding two values (Kenya's internet use far below the others that year),
    # changing two, repeating two as they are, and one row in error
    content = fixture("long_iso3.csv") + f"KOR,internet_users,2023,abc,{WDI_NET}\n".encode()
    before = snapshot()
    # when it is previewed
    data_import = data_import_preview(
        release=draft, content=content, filename="update.csv", user=editor
    )
    # then the preview says what applying would do, row by row
    assert data_import.status == ImportStatus.PREVIEWED
    assert (data_import.added, data_import.changed, data_import.unchanged) == (2, 2, 2)
    assert (data_import.errors, data_import.flagged) == (1, 1)
    report = data_import.report
    kenya = {"KEN": 44.9, "VNM": 78.5}
    assert [(f["row"], f["reason"]) for f in report["flags"]] == [
        (2, spread(draft, "internet_users", 2023, "KEN", kenya))
    ]
    assert entries(report["additions"]) == [
        (2, "", "KEN", "internet_users", 2023, None, 44.9),
        (6, "", "KEN", "population", 2025, None, 57532493.0),
    ]
    assert entries(report["changes"]) == [
        (3, "", "VNM", "internet_users", 2023, 78.08, 78.5),
        (7, "", "DEU", "gdp_pc_ppp", 2023, 63578.14, 63450.2),
    ]
    assert problems(report) == [(8, "", "not_a_number", "value 'abc' is not a number")]
    # and the file is kept with its report, while nothing in any release changed
    assert data_import.file_content() == content
    assert data_import.file_digest == hashlib.sha256(content).hexdigest()
    assert without_imports(snapshot()) == without_imports(before)
    assert DataImport.objects.count() == before["imports"] + 1


def test_applying_writes_the_file_and_importing_it_again_changes_nothing(draft, editor):
    # given the file applied to the draft
    content = fixture("long_iso3.csv")
    first = data_import_preview(release=draft, content=content, filename="update.csv", user=editor)
    data_import_apply(data_import=first, user=editor)
    # then its values are in the draft, each with the file and row it came from
    kenya = value_of(draft, "KEN", "internet_users", 2023)
    assert (kenya.value, kenya.source_url, kenya.note) == (
        44.9,
        "https://data.worldbank.org/indicator/IT.NET.USER.ZS",
        "World Bank WDI",
    )
    assert kenya.provenance == f"import #{first.pk}: update.csv row 2"
    assert value_of(draft, "VNM", "internet_users", 2023).value == 78.5
    first.refresh_from_db()
    assert first.status == ImportStatus.APPLIED
    assert first.applied_at is not None
    event = draft.events.get(action=ReleaseAction.IMPORTED)
    assert (event.actor, event.reason) == (
        editor,
        "update.csv: 2 added, 2 changed, 2 unchanged, 1 flagged",
    )
    assert list(draft.editors.all()) == [editor]
    # when the same file is previewed again for the same draft
    again = data_import_preview(release=draft, content=content, filename="update.csv", user=editor)
    # then every row is unchanged
    assert (again.added, again.changed, again.unchanged, again.errors) == (0, 0, 6, 0)
    assert again.report["additions"] == again.report["changes"] == []


def test_the_editor_who_imported_a_file_cannot_publish_the_release(draft, editor):
    # given an editor with the reviewer's permission imported a file into the draft
    from django.contrib.auth.models import Permission

    editor.user_permissions.add(Permission.objects.get(codename="publish_datarelease"))
    observations_import(
        release=draft, content=fixture("long_iso3.csv"), filename="update.csv", user=editor
    )
    data_release_submit(release=draft, user=editor)
    # when they try to publish it / then four eyes refuse
    with pytest.raises(DomainError) as excinfo:
        data_release_publish(release=draft, user=editor)
    assert excinfo.value.code == "four_eyes"


# --- nothing changes when nothing should ------------------------------------------------


def test_a_file_with_errors_cannot_be_applied_and_nothing_changes(draft, editor):
    # given a previewed file with errors
    data_import = data_import_preview(
        release=draft, content=fixture("long_errors.csv"), filename="bad.csv", user=editor
    )
    before = snapshot()
    # when it is applied / then it is refused and every table is as it was
    with pytest.raises(DomainError) as excinfo:
        data_import_apply(data_import=data_import, user=editor)
    assert (excinfo.value.code, excinfo.value.message) == (
        "invalid_file",
        "The file has 15 problem(s); fix them and import it again.",
    )
    assert snapshot() == before
    data_import.refresh_from_db()
    assert data_import.status == ImportStatus.PREVIEWED


def test_a_one_step_import_with_errors_stores_nothing_at_all(draft, editor):
    before = snapshot()
    report, applied = observations_import(
        release=draft, content=fixture("long_errors.csv"), filename="bad.csv", user=editor
    )
    assert applied is None
    assert report["error_count"] == 15
    assert snapshot() == before  # not even the DataImport


def test_a_dry_run_stores_nothing(draft, editor):
    before = snapshot()
    report, applied = observations_import(
        release=draft,
        content=fixture("long_iso3.csv"),
        filename="update.csv",
        user=editor,
        dry_run=True,
    )
    assert applied is None
    assert (report["added"], report["changed"], report["unchanged"]) == (2, 2, 2)
    assert snapshot() == before


def test_a_cancelled_import_changes_nothing_and_cannot_be_applied(draft, editor):
    # given a previewed file
    before = snapshot()
    data_import = data_import_preview(
        release=draft, content=fixture("long_iso3.csv"), filename="update.csv", user=editor
    )
    # when it is cancelled
    data_import_cancel(data_import=data_import, user=editor)
    # then the release is as it was, and the import stays, cancelled
    assert without_imports(snapshot()) == without_imports(before)
    data_import.refresh_from_db()
    assert data_import.status == ImportStatus.CANCELLED
    with pytest.raises(DomainError) as excinfo:
        data_import_apply(data_import=data_import, user=editor)
    assert excinfo.value.message == (
        "This import is cancelled; only a previewed import can be applied."
    )
    assert without_imports(snapshot()) == without_imports(before)


def test_an_import_is_applied_once(draft, editor):
    data_import = data_import_preview(
        release=draft, content=fixture("long_iso3.csv"), filename="update.csv", user=editor
    )
    data_import_apply(data_import=data_import, user=editor)
    before = snapshot()
    with pytest.raises(DomainError) as excinfo:
        data_import_apply(data_import=data_import, user=editor)
    assert excinfo.value.code == "not_previewed"
    assert snapshot() == before


def test_a_published_release_takes_no_import(editor):
    published = DataRelease.objects.current()
    before = snapshot()
    with pytest.raises(DomainError) as excinfo:
        observations_import(
            release=published, content=fixture("long_iso3.csv"), filename="x.csv", user=editor
        )
    assert excinfo.value.code == "published"
    assert "start a correction" in excinfo.value.message
    assert snapshot() == before


def test_a_release_changed_since_the_preview_refuses_the_apply_and_writes_nothing(draft, editor):
    # given an editor previewed a file adding Kenya's 2023 value
    late = data_import_preview(
        release=draft,
        content=long_csv(f"KEN,internet_users,2023,44.9,{WDI_NET}"),
        filename="late.csv",
        user=editor,
    )
    # and another import then wrote a different value for the same cell
    observations_import(
        release=draft,
        content=long_csv(f"KEN,internet_users,2023,45.3,{WDI_NET}"),
        filename="early.csv",
        user=None,
    )
    before = snapshot()
    # when the first preview is applied
    with pytest.raises(DomainError) as excinfo:
        data_import_apply(data_import=late, user=editor)
    # then it is refused: the preview no longer says what applying would do
    assert excinfo.value.code == "stale"
    assert excinfo.value.message == (
        "The release changed since this file was previewed (1 added, 0 changed, 0 unchanged, "
        "1 flagged → 0 added, 1 changed, 0 unchanged, 1 flagged); preview it again."
    )
    assert snapshot() == before
    assert value_of(draft, "KEN", "internet_users", 2023).value == 45.3


def test_a_preview_whose_old_values_changed_is_stale_even_with_the_same_counts(draft, editor):
    # given a preview changing Viet Nam's 2023 value from 78.08 to 78.5
    late = data_import_preview(
        release=draft,
        content=long_csv(f"VNM,internet_users,2023,78.5,{WDI_NET}"),
        filename="late.csv",
        user=editor,
    )
    assert entries(late.report["changes"])[0][5:] == (78.08, 78.5)
    # and another import then changed the same value to 80 (the counts stay: one change)
    observations_import(
        release=draft,
        content=long_csv(f"VNM,internet_users,2023,80,{WDI_NET}"),
        filename="early.csv",
        user=None,
    )
    before = snapshot()
    # when / then the preview's "78.08 → 78.5" is no longer true: refused, nothing written
    with pytest.raises(DomainError) as excinfo:
        data_import_apply(data_import=late, user=editor)
    assert excinfo.value.code == "stale"
    assert excinfo.value.message.endswith("; preview it again.")
    assert snapshot() == before
    assert value_of(draft, "VNM", "internet_users", 2023).value == 80


# --- files refused whole ----------------------------------------------------------------

NOT_TABULAR = (
    "This is not a CSV or XLSX file (its content reads as {what}); save it as CSV (UTF-8) or "
    "XLSX and try again."
)
ENTITIES = "The XLSX workbook declares XML entities, which are refused for safety."
PDF = (
    b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<</Type/Catalog/Pages 2 0 R>>\nendobj\n"
    b"2 0 obj\n<</Type/Pages/Kids[3 0 R]/Count 1>>\nendobj\n"
)
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\nIDATx\x9cc\x00\x01\x00\x00\x05\x00\x01\r\n-\xb4\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)
NOISE = b"".join(hashlib.sha256(bytes([i])).digest() for i in range(128))  # 4 KB
XLS = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
LATIN1 = "iso3,country,indicator,year,value,source\nCIV,Côte d'Ivoire,internet_users,2023,40,x\n"


def plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def zip_bomb() -> bytes:
    # a sheet of 50 MB of zeros deflates to some 50 KB
    return handmade_xlsx(sheet=b"0" * 50_000_000)


HOSTILE = [
    pytest.param(b"", "The file is empty.", id="empty"),
    pytest.param(b"\n\n", None, id="only-blank-lines"),
    pytest.param(PDF, NOT_TABULAR.format(what="a PDF document"), id="pdf"),
    pytest.param(PNG, NOT_TABULAR.format(what="binary data"), id="png"),
    pytest.param(NOISE, NOT_TABULAR.format(what="binary data"), id="random"),
    pytest.param(
        XLS,
        "This is an old Excel (XLS) workbook; save it as XLSX or CSV (UTF-8) and try again.",
        id="old-xls",
    ),
    pytest.param(
        b"<!DOCTYPE html><html><body>Not found</body></html>",
        NOT_TABULAR.format(what="markup or JSON"),
        id="html",
    ),
    pytest.param(
        plain_zip(), NOT_TABULAR.format(what="a ZIP archive without a workbook"), id="zip"
    ),
    pytest.param(
        b"PK\x03\x04" + bytes(200),
        "The XLSX workbook cannot be read: not a valid ZIP archive (File is not a zip file).",
        id="broken-zip",
    ),
    pytest.param(
        LATIN1.encode("latin-1"),
        f"The CSV file is not UTF-8 text (byte {LATIN1.index('ô') + 1} cannot be read); save it "
        "as “CSV UTF-8”.",
        id="latin-1",
    ),
    pytest.param(
        handmade_xlsx(strings=LAUGHS + STRINGS_XML.split("\n", 1)[1].replace("KEN", "&lol3;")),
        ENTITIES,
        id="entities-in-shared-strings",
    ),
    pytest.param(
        handmade_xlsx(sheet=LAUGHS + SHEET_XML.split("\n", 1)[1].replace("2023", "&lol3;")),
        ENTITIES,
        id="entities-in-sheet",
    ),
    pytest.param(
        handmade_xlsx(sheet=SHEET_XML[:-40]),
        "The XLSX workbook cannot be read: ParseError.",
        id="truncated-sheet",
    ),
    pytest.param(
        with_declared_size(
            handmade_xlsx(sheet=SHEET_XML.replace("</sheetData>", "</sheetData>" + " " * 10**7)),
            "xl/worksheets/sheet1.xml",
            len(SHEET_XML),
        ),
        "The XLSX workbook cannot be read: BadZipFile.",
        id="bomb-lying-about-its-size",
    ),
]


@pytest.mark.parametrize(("content", "message"), HOSTILE)
def test_a_file_that_cannot_be_read_is_refused_whole_with_a_clear_message(
    content, message, draft, editor
):
    before = snapshot()
    # when it is checked / then a clear message, as invalid input (a 400), never a crash
    with pytest.raises(InvalidInput) as excinfo:
        file_assess(content=content, release=draft)
    assert (excinfo.value.field, excinfo.value.code) == ("file", "unreadable_file")
    assert excinfo.value.http_status == 400
    if message is not None:
        assert excinfo.value.message == message
    # and a preview stores nothing
    with pytest.raises(InvalidInput):
        data_import_preview(release=draft, content=content, filename="upload.csv", user=editor)
    assert snapshot() == before


def test_a_zip_bomb_is_refused_before_it_is_unpacked(draft):
    # given a workbook whose one sheet is 50 MB of zeros, deflated to a small upload
    content = zip_bomb()
    unpacked = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(content)).infolist())
    assert len(content) < 200_000 < 50_000_000 < unpacked
    # when / then
    with pytest.raises(InvalidInput) as excinfo:
        file_assess(content=content, release=draft)
    assert excinfo.value.message == (
        f"The XLSX workbook unpacks to {unpacked} bytes, far more than its {len(content)} "
        "bytes would hold: refused."
    )


def test_a_file_over_the_size_limit_is_refused_with_the_limit():
    content = long_csv(*[f"KEN,internet_users,2023,44.9,{WDI_NET}"] * 20000)
    assert len(content) > 1024 * 1024
    with pytest.raises(InvalidInput) as excinfo:
        file_assess(content=content, limit=1024 * 1024)
    size = f"{len(content) / 1024 / 1024:.1f} MB"
    assert excinfo.value.message == f"The file is {size}; the limit here is 1.0 MB."


# --- workbooks --------------------------------------------------------------------------


def test_a_workbook_is_read_whatever_its_name_says(draft, editor):
    # given a real XLSX workbook, uploaded under a .csv name, its data on its second sheet
    content = workbook(
        {
            "Notes": [["Internet use, World Bank WDI, downloaded 2026-10-15"]],
            "Data": [
                ["iso3", "indicator", "year", "value", "source"],
                ["KEN", "internet_users", 2023, 44.9, WDI_NET],
                ["VNM", "internet_users", 2023, 78.5, WDI_NET],
            ],
        }
    )
    # when it is previewed with the sheet named
    data_import = data_import_preview(
        release=draft,
        content=content,
        filename="internet.csv",
        mapping={"sheet": "Data"},
        user=editor,
    )
    # then it was read as a workbook: numbers as numbers, rows as Excel numbers them
    assert data_import.report["format"] == "xlsx"
    assert entries(data_import.report["additions"]) == [
        (2, "", "KEN", "internet_users", 2023, None, 44.9)
    ]
    assert entries(data_import.report["changes"]) == [
        (3, "", "VNM", "internet_users", 2023, 78.08, 78.5)
    ]
    data_import_apply(data_import=data_import, user=editor)
    assert value_of(draft, "KEN", "internet_users", 2023).value == 44.9
    # and a sheet that is not there is named, with the ones that are
    with pytest.raises(InvalidInput) as excinfo:
        file_assess(content=content, mapping={"sheet": "Daten"}, release=draft)
    assert excinfo.value.message == "The workbook has no sheet named “Daten”; it has: Notes, Data."


# --- wide files and saved mappings ------------------------------------------------------


def test_a_world_bank_wdi_download_reads_with_the_wide_mapping(empty_draft, editor):
    # given the WDI CSV of internet use (4 preamble lines, blanks, aggregates)
    content = fixture("wdi_internet_users.csv")
    # when it is previewed with the WDI mapping
    data_import = data_import_preview(
        release=empty_draft, content=content, filename="wdi.csv", mapping=WDI_MAPPING, user=editor
    )
    # then the countries' values are read, the aggregates skipped and the blanks counted
    report = data_import.report
    assert (report["format"], report["layout"], report["error_count"]) == ("csv", "wide", 0)
    assert [(s["row"], s["message"]) for s in report["skipped"]] == [
        (7, "'SSF' is a group of countries, not a country: skipped"),
        (12, "'WLD' is a group of countries, not a country: skipped"),
    ]
    assert report["blank_cells"] == 18
    assert data_import.added == 14
    assert entries(report["additions"])[:2] == [
        (6, "F (2020)", "KEN", "internet_users", 2020, None, 29.5),
        (6, "G (2021)", "KEN", "internet_users", 2021, None, 33.2),
    ]
    # and applying writes them with the mapping's citation
    data_import_apply(data_import=data_import, user=editor)
    kenya = value_of(empty_draft, "KEN", "internet_users", 2022)
    assert (kenya.value, kenya.source_url, kenya.note) == (
        40.8137,
        "https://data.worldbank.org/indicator/IT.NET.USER.ZS",
        "World Bank WDI",
    )
    assert kenya.provenance == f"import #{data_import.pk}: wdi.csv row 6, column H (2022)"
    assert sorted(empty_draft.observations.values_list("country__iso3", flat=True).distinct()) == [
        "KEN",
        "KOR",
        "VNM",
    ]


def test_a_databank_export_reads_the_same_values_as_the_wdi_download(empty_draft):
    # given the same values exported from DataBank ("2019 [YR2019]" headers, "..", footer)
    databank = file_assess(
        content=fixture("databank_internet_users.csv"),
        mapping={**WDI_MAPPING, "indicator_column": "Series Code"},
        release=empty_draft,
    ).report
    wdi = file_assess(
        content=fixture("wdi_internet_users.csv"), mapping=WDI_MAPPING, release=empty_draft
    ).report
    # then
    assert databank.error_count == 0
    assert [(s.row, s.message) for s in databank.skipped] == [
        (5, "'EAS' is a group of countries, not a country: skipped"),
        (6, "'WLD' is a group of countries, not a country: skipped"),
    ]
    values = {(a.country, a.year, a.new) for a in databank.additions}
    assert values == {(a.country, a.year, a.new) for a in wdi.additions}
    assert len(values) == 14
    assert {a.column for a in databank.additions if a.year == 2019} == {"E (2019 [YR2019])"}


def test_a_saved_mapping_reads_the_file_as_the_mapping_it_was_saved_from(empty_draft):
    # given the WDI mapping saved by an editor
    saved = ImportMapping.objects.create(
        name="World Bank WDI",
        layout=ImportLayout.WIDE,
        country_column="Country Code",
        indicator_column="Indicator Code",
        indicator_codes={"IT.NET.USER.ZS": "internet_users"},
        source=WDI_NET,
    )
    content = fixture("wdi_internet_users.csv")
    # when the file is read with it / then it reads exactly as with the mapping it came from
    assert saved.as_layout()["layout"] == "wide"
    by_saved = file_assess(content=content, mapping=saved.as_layout(), release=empty_draft)
    by_hand = file_assess(content=content, mapping=WDI_MAPPING, release=empty_draft)
    assert by_saved.report.added == 14
    assert by_saved.report.to_dict() == by_hand.report.to_dict()


def test_a_wide_mapping_without_a_source_is_refused(empty_draft):
    with pytest.raises(InvalidInput) as excinfo:
        file_assess(
            content=fixture("wdi_internet_users.csv"),
            mapping={**WDI_MAPPING, "source": ""},
            release=empty_draft,
        )
    assert (excinfo.value.field, excinfo.value.message) == (
        "mapping",
        "Say where the values come from: a source column or one citation.",
    )


def test_a_wide_file_without_its_country_column_names_the_columns_it_has(empty_draft):
    with pytest.raises(InvalidInput) as excinfo:
        file_assess(
            content=fixture("wdi_internet_users.csv"),
            mapping={**WDI_MAPPING, "country_column": "ISO3"},
            release=empty_draft,
        )
    assert "No header row naming “ISO3”" in excinfo.value.message


# --- country names ----------------------------------------------------------------------


def test_country_names_are_matched_and_the_report_says_to_what(draft):
    # given a long file naming countries as the World Bank spells them
    report = file_assess(content=fixture("long_names.csv"), release=draft).report
    # then each name shows the country it was matched to
    assert report.matches == {
        "Viet Nam": "VNM Vietnam",
        "Korea, Rep.": "KOR South Korea",
        "Cote d'Ivoire": "CIV Côte d'Ivoire",
        "Turkiye": "TUR Türkiye",
        "Kenya": "KEN Kenya",
    }
    # and a name matched to nothing is an error with a suggestion
    assert problems(report) == [
        (7, "", "unknown_country", "unknown country 'Kenia'; did you mean KEN (Kenya)?")
    ]
    assert report.added == 5


def test_a_name_like_no_country_suggests_how_to_name_one(draft):
    report = file_assess(
        content=b"country,indicator,year,value,source\n"
        + f"Xq,internet_users,2023,40,{WDI_NET}\n".encode(),
        release=draft,
    ).report
    assert problems(report) == [
        (
            2,
            "",
            "unknown_country",
            "unknown country 'Xq'; use an ISO 3166-1 alpha-3 code or the country's name",
        )
    ]


def test_a_wide_download_s_early_years_are_named_and_not_read(empty_draft):
    # given a wide file whose history starts before 1990, as WDI's does
    content = (
        b"Country Name,Country Code,Indicator Name,Indicator Code,1960,1989,1990,2022\n"
        b"Kenya,KEN,Individuals using the Internet,IT.NET.USER.ZS,,0.1,0.2,40.8\n"
    )
    # when it is checked
    report = file_assess(content=content, mapping=WDI_MAPPING, release=empty_draft).report
    # then the two early columns are named as not read, and the rest is read without error
    assert report.ok
    assert (report.added, report.blank_cells) == (2, 0)
    assert [(s.row, s.column, s.code) for s in report.skipped] == [(1, "E–F", "years_outside")]
    assert report.skipped[0].message == (
        f"2 year column(s) outside 1990–{THIS_YEAR} (1960, 1989) are not read"
    )


def test_the_command_reports_by_row_and_writes_nothing_on_error(draft, tmp_path, capsys):
    from django.core.management import CommandError, call_command

    # given a file with one good and one bad row
    path = tmp_path / "kenya.csv"
    path.write_bytes(
        long_csv(
            f"KEN,internet_users,2022,45,{WDI_NET}",
            f"KEN,internet_users,2099,250,{WDI_NET}",
        )
    )
    before = snapshot()
    # when it is imported from the shell
    with pytest.raises(CommandError, match="2 error"):
        call_command("import_observations", str(path), release=draft.slug, verbosity=0)
    # then each problem is told with its row, and nothing is written
    assert "row 3: year '2099' is outside" in capsys.readouterr().err
    assert snapshot() == before
    # and a dry run of the good row reports the change without writing it
    path.write_bytes(long_csv(f"KEN,internet_users,2022,45,{WDI_NET}"))
    call_command("import_observations", str(path), release=draft.slug, dry_run=True, verbosity=0)
    out = capsys.readouterr().out
    assert "1 changing a value" in out
    assert "Dry run: nothing was written." in out
    assert snapshot() == before
    # and without --dry-run it is applied
    call_command("import_observations", str(path), release=draft.slug, verbosity=0)
    assert value_of(draft, "KEN", "internet_users", 2022).value == 45


def test_a_source_without_a_url_is_quoted_whole_and_known_values_are_not_flagged_again(draft):
    # given a row citing a source by name only, and a row repeating a flagged-looking value
    # the release already holds as it is
    kenya = value_of(draft, "KEN", "internet_users", 2022)
    citation = f"{kenya.source_url} ({kenya.note})" if kenya.note else kenya.source_url
    held = io.StringIO()
    csv.writer(held).writerow(["KEN", "internet_users", 2022, kenya.value, citation])
    content = long_csv("KEN,internet_users,2021,30,World Bank WDI", held.getvalue().strip())
    report = file_assess(content=content, release=draft).report
    assert [(e.row, e.message) for e in report.errors] == [
        (2, f"source 'World Bank WDI' does not start with an http(s) URL: {SOURCE_HELP}")
    ]
    assert report.unchanged == 1
    assert report.flag_count == 0


def test_a_blank_code_falls_back_to_the_name_and_aggregates_by_name_are_skipped(empty_draft):
    # given a long file with both columns, some rows named only, and World Bank groups by name
    content = (
        "iso3,country,indicator,year,value,source\n"
        f",Viet Nam,internet_users,2022,78.1,{WDI_NET}\n"
        f',"Korea, Rep.",internet_users,2022,97.2,{WDI_NET}\n'
        f",Sub-Saharan Africa,internet_users,2022,36.0,{WDI_NET}\n"
        f",Upper middle income,internet_users,2022,77.0,{WDI_NET}\n"
        f"KEN,Kenya,internet_users,2022,40.8,{WDI_NET}\n"
    ).encode()
    report = file_assess(content=content, release=empty_draft).report
    assert report.ok, report.errors
    assert report.added == 3
    assert report.matches == {"Viet Nam": "VNM Vietnam", "Korea, Rep.": "KOR South Korea"}
    assert [s.row for s in report.skipped] == [4, 5]
