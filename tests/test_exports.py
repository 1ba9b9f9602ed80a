"""Every CSV and XLSX download: text a spreadsheet would run as a formula is neutralised with a
leading quote; numbers, negative ones included, stay numbers."""

import csv
import io

import pytest
from openpyxl import load_workbook

from aimai_site.exports import safe_row, spreadsheet_safe
from countries.models import Country, DataRelease, Indicator, Observation
from countries.services import data_release_publish
from registry.services import Event, registry_append

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("https://evil.example","click")'


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-88.2", "'-88.2"),  # text that looks like a number is still text
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Kenya", "Kenya"),
        ("", ""),
        (-88.2, -88.2),
        (-3, -3),
        (None, None),
    ],
)
def test_only_text_that_starts_like_a_formula_is_quoted(value, expected):
    assert spreadsheet_safe(value) == expected


def test_a_row_is_made_safe_cell_by_cell():
    assert safe_row(["=x", -1.5, "ok"]) == ["'=x", -1.5, "ok"]


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.getvalue().decode())))


def test_the_scores_csv_and_xlsx_quote_formulas_and_keep_negative_scores(client):
    Country.objects.filter(iso3="KEN").update(name=FORMULA)
    rows = _csv(client.get("/downloads/scores.csv"))
    header, body = rows[0], rows[1:]
    kenya = next(r for r in body if r[header.index("country")] == "KEN")
    assert kenya[header.index("name")] == "'" + FORMULA
    aimai = [r[header.index("aimai")] for r in body if r[header.index("aimai")]]
    assert any(v.startswith("-") for v in aimai)  # the demo index goes below zero
    assert not any(v.startswith("'") for v in aimai)
    float(min(aimai, key=float))  # plain numbers, unquoted

    book = load_workbook(io.BytesIO(client.get("/downloads/scores.xlsx").content))
    sheet = book["scores"]
    header = [c.value for c in sheet[1]]
    cells = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    assert cells["KEN"][header.index("name")].value == "'" + FORMULA
    negative = [
        row[header.index("aimai")]
        for row in cells.values()
        if isinstance(row[header.index("aimai")].value, float)
        and row[header.index("aimai")].value < 0
    ]
    assert negative
    assert all(cell.data_type == "n" for cell in negative)


def test_the_observations_csv_quotes_a_formula_in_a_note(client):
    release = DataRelease.objects.create(slug="x1", name="Exports", release_date="2026-11-21")
    Observation.objects.create(
        release=release,
        country=Country.objects.get(iso3="KEN"),
        indicator=Indicator.objects.get(code="internet_users"),
        year=2024,
        value=-88.2,
        source_url="https://example.org/source",
        note="@SUM(A1:A9)",
        provenance="export test",
    )
    data_release_publish(release=release)
    rows = _csv(client.get("/downloads/observations/x1.csv"))
    header, (row,) = rows[0], rows[1:]
    assert row[header.index("note")] == "'@SUM(A1:A9)"
    assert row[header.index("value")] == "-88.2"


def test_the_registry_csv_quotes_a_formula_in_an_organisation_name(client):
    registry_append(
        [
            Event(
                event="compact.activated",
                identifier="\t@SUM(A1:A9)",
                url="/compacts/1/",
                digest="ab" * 32,
                organisation=FORMULA,
                country="KEN",
            )
        ]
    )
    rows = _csv(client.get("/registry/entries.csv"))
    header, last = rows[0], rows[-1]
    assert last[header.index("organisation")] == "'" + FORMULA
    assert last[header.index("identifier")] == "'\t@SUM(A1:A9)"
    assert last[header.index("entry")].startswith("{")  # the exact bytes of the entry
