import csv
import shutil
import tomllib

import pytest
from django.core.management import call_command

from aimai_site.errors import DomainError
from countries.loaders import DEMO_DIR, DataLoadError, demo_data_load, split_source
from countries.models import Country, DataRelease, Indicator, Observation

pytestmark = pytest.mark.django_db

MANIFEST = tomllib.loads((DEMO_DIR / "release.toml").read_text())


def csv_rows(name: str) -> list[dict]:
    with (DEMO_DIR / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def snapshot() -> dict:
    return {
        "observations": Observation.objects.count(),
        "observation_history": Observation.history.count(),
        "country_history": Country.history.count(),
        "indicator_history": Indicator.history.count(),
        "releases": list(DataRelease.objects.values_list("slug", "content_digest", "published_at")),
    }


@pytest.fixture
def demo_copy(tmp_path):
    target = tmp_path / "demo"
    shutil.copytree(DEMO_DIR, target)
    return target


def rewrite_release_slug(directory, slug: str) -> None:
    manifest = directory / "release.toml"
    manifest.write_text(manifest.read_text().replace('slug = "demo-2026-11"', f'slug = "{slug}"'))


def test_every_cited_row_becomes_one_observation_with_its_source():
    # given the files of the demo release
    expected = sum(len(csv_rows(spec["file"])) for spec in MANIFEST["indicators"])
    release = DataRelease.objects.get(slug=MANIFEST["release"]["slug"])
    # then each row is one observation, and each keeps its source URL
    assert release.is_published
    assert release.observations.count() == expected == 2531
    assert not release.observations.exclude(source_url__startswith="https://").exists()
    kenya_fsi = release.observations.get(country__iso3="KEN", indicator__code="fsi_total")
    assert (kenya_fsi.year, kenya_fsi.value) == (2023, 87.8)
    assert kenya_fsi.source_url.startswith("https://github.com/javoh20/excel-sql/")
    assert kenya_fsi.provenance.startswith("demo data: burden_fragile_states_2023.csv line ")


def test_a_gap_stays_a_gap():
    # ODA/GNI lists donors only: a recipient has no observation, not a zero
    oda = Observation.objects.filter(indicator__code="oda_gni", release__slug="demo-2026-11")
    assert oda.count() == len(csv_rows("solidarity_oda_gni_2024.csv")) == 33
    assert not oda.filter(country__iso3="KEN").exists()


def test_income_groups_come_from_the_world_bank_file():
    assert Country.objects.get(iso3="KEN").get_income_group_display() == "Lower middle income"
    assert Country.objects.get(iso3="ETH").income_group == "not_classified"
    assert Country.objects.get(iso3="ATA").income_group == ""
    assert Country.objects.get(iso3="NOR").income_group_year == "FY2026"


def test_loading_twice_changes_nothing():
    # given the demo release is already loaded (by the session fixture)
    before = snapshot()
    # when it is loaded again
    report = demo_data_load()
    # then
    assert not report.changed_anything
    assert snapshot() == before


def test_the_command_says_when_nothing_changed(capsys):
    call_command("load_demo_data")
    assert "already loaded with identical content" in capsys.readouterr().out


def test_bad_rows_are_reported_by_file_and_line_and_nothing_is_written(demo_copy):
    # given a new release whose files have two bad rows
    rewrite_release_slug(demo_copy, "demo-bad")
    oda = demo_copy / "solidarity_oda_gni_2024.csv"
    lines = oda.read_text().splitlines(keepends=True)
    lines[2] = lines[2].replace("AUT,", "ZZZ,", 1)
    oda.write_text("".join(lines))
    gdp = demo_copy / "burden_gdp_pc_ppp.csv"
    lines = gdp.read_text().splitlines(keepends=True)
    lines[4] = lines[4].replace(",2023,", ",20x3,", 1)
    gdp.write_text("".join(lines))
    before = snapshot()
    # when
    with pytest.raises(DataLoadError) as excinfo:
        demo_data_load(directory=demo_copy)
    # then
    assert excinfo.value.errors == [
        "solidarity_oda_gni_2024.csv row 3: unknown country 'ZZZ'; use an ISO 3166-1 alpha-3 "
        "code or the country's name",
        "burden_gdp_pc_ppp.csv row 5: year '20x3' is not a year (four digits)",
    ]
    assert excinfo.value.message == "2 problem(s) found; nothing was loaded."
    assert snapshot() == before


def test_duplicate_values_are_reported(demo_copy):
    rewrite_release_slug(demo_copy, "demo-dup")
    gpai = demo_copy / "membership_gpai.csv"
    lines = gpai.read_text().splitlines(keepends=True)
    gpai.write_text("".join([*lines, lines[1]]))
    with pytest.raises(DataLoadError) as excinfo:
        demo_data_load(directory=demo_copy)
    assert excinfo.value.errors == [
        f"membership_gpai.csv row {len(lines) + 1}: a second value for ARG gpai_member 2024 "
        "(first given in row 2)"
    ]


def test_a_published_release_is_never_rewritten_by_a_new_load(demo_copy):
    # given the same release slug but one corrected value
    oda = demo_copy / "solidarity_oda_gni_2024.csv"
    oda.write_text(oda.read_text().replace("AUS,Australia,0.1946,", "AUS,Australia,0.2,", 1))
    before = snapshot()
    # when / then
    with pytest.raises(DomainError, match="A published release never changes"):
        demo_data_load(directory=demo_copy)
    assert snapshot() == before


def test_a_correction_loads_as_a_new_release(demo_copy):
    rewrite_release_slug(demo_copy, "demo-2026-11-corrected")
    oda = demo_copy / "solidarity_oda_gni_2024.csv"
    oda.write_text(oda.read_text().replace("AUS,Australia,0.1946,", "AUS,Australia,0.2,", 1))
    report = demo_data_load(directory=demo_copy)
    assert report.created
    assert (
        report.release.observations.get(country__iso3="AUS", indicator__code="oda_gni").value == 0.2
    )
    original = DataRelease.objects.get(slug="demo-2026-11")
    assert report.release.content_digest != original.content_digest
    assert DataRelease.objects.current() == report.release


@pytest.mark.parametrize(
    ("source", "url", "note"),
    [
        ("https://a.org/x", "https://a.org/x", ""),
        ("https://a.org/x (World Bank WDI)", "https://a.org/x", "World Bank WDI"),
        ("https://a.org/x (a); b: https://c.org", "https://a.org/x", "(a); b: https://c.org"),
    ],
)
def test_split_source_keeps_the_whole_citation(source, url, note):
    assert split_source(source) == (url, note)


def test_loading_again_keeps_the_editors_corrections():
    # given an editor corrected a country and an indicator
    Country.objects.filter(iso3="KEN").update(name="Kenya (corrected)", income_group="low")
    Indicator.objects.filter(code="oda_gni").update(description="Edited by an editor")
    # when the demo data is loaded again
    report = demo_data_load()
    # then nothing is reverted
    assert not report.changed_anything
    kenya = Country.objects.get(iso3="KEN")
    assert (kenya.name, kenya.income_group) == ("Kenya (corrected)", "low")
    assert Indicator.objects.get(code="oda_gni").description == "Edited by an editor"
