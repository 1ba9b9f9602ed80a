"""AIMAI world data 2026 (countries/data/world-2026/): every cited row through the importer's
rules, with each indicator's meaning, publisher and the copy it was read from."""

import csv
import tomllib

import pytest
from django.db.models import Count

from countries.loaders import DEMO_DIR, WORLD_DIR, world_data_load
from countries.models import DataRelease, Indicator
from tests.countries.test_loaders import snapshot

pytestmark = pytest.mark.django_db

MANIFEST = tomllib.loads((WORLD_DIR / "release.toml").read_text(encoding="utf-8"))
DEMO_MANIFEST = tomllib.loads((DEMO_DIR / "release.toml").read_text(encoding="utf-8"))
SPECS = {spec["code"]: spec for spec in MANIFEST["indicators"]}
NEW_CODES = {
    "gairi_total",
    "gairi_government",
    "gairi_technology_sector",
    "gairi_data_infrastructure",
    "gairi_rank",
    "aipi_total",
    "aipi_digital_infrastructure",
    "aipi_innovation_integration",
    "aipi_human_capital",
    "aipi_regulation_ethics",
    "researchers_per_million",
    "rd_expenditure_gdp",
    "ai_publications",
    "ai_private_investment",
    "notable_models",
    "open_weight_models",
    "odin_openness",
    "github_outbound_collaboration",
    "github_inbound_collaboration",
    "bletchley_declaration",
    "seoul_declaration",
    "spi_overall",
}


def csv_rows(name: str) -> list[dict]:
    """The file's data rows, read here without the loader."""
    with (WORLD_DIR / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def world():
    """The world release, loaded after the demo release (the session fixture loads both)."""
    return world_data_load()


def test_every_row_of_every_file_becomes_one_observation():
    # given a database without any release (purged inside this test's transaction)
    from tests.conftest import purge_frozen_data

    purge_frozen_data()
    # when the world release is loaded through the importer
    world = world_data_load()
    release = DataRelease.objects.get(slug="world-2026")
    assert world.release == release
    assert world.created
    assert release.is_published
    assert DataRelease.objects.current() == release  # published after the demo release
    counted = dict(
        release.observations.values_list("indicator__code").annotate(n=Count("pk")).order_by()
    )
    expected = {code: len(csv_rows(spec["file"])) for code, spec in SPECS.items()}
    assert counted == expected == world.per_indicator
    assert sum(expected.values()) == world.observations
    assert not release.observations.exclude(source_url__startswith="https://").exists()
    spi = release.observations.get(country__iso3="NOR", indicator__code="spi_overall")
    assert spi.provenance.startswith("world data 2026: burden_wb_spi_overall_2024.csv line ")


def test_every_csv_file_of_the_release_is_in_its_manifest():
    named = {spec["file"] for spec in MANIFEST["indicators"]} | {MANIFEST["income_groups"]["file"]}
    assert named == {path.name for path in WORLD_DIR.glob("*.csv")}
    assert set(SPECS) >= NEW_CODES


def test_the_demo_indicators_keep_their_code_and_meaning():
    for spec in DEMO_MANIFEST["indicators"]:
        assert SPECS[spec["code"]] == spec


@pytest.mark.parametrize("code", sorted(SPECS))
def test_every_indicator_says_what_it_is_and_where_it_was_read(code):
    spec = SPECS[code]
    for key in ["name", "unit", "direction", "source_organisation", "source_url", "licence"]:
        assert spec.get(key, "").strip(), f"{code}: no {key}"
    sources = [row["source"] for row in csv_rows(spec["file"])]
    if not all(source.startswith(spec["source_url"]) for source in sources):
        # not read from the publisher: the copy it was read from is named
        assert spec.get("copy_url", "").startswith("https://"), f"{code}: no copy_url"
    if spec.get("copy_url"):
        assert all(spec["copy_url"] in source for source in sources), code
    values = [float(row["value"]) for row in csv_rows(spec["file"])]
    if "minimum" in spec:
        assert min(values) >= spec["minimum"]
    if "maximum" in spec:
        assert max(values) <= spec["maximum"]
    if code in NEW_CODES:
        assert "minimum" in spec, f"{code}: no minimum"


def test_the_loaded_indicators_carry_the_manifest(world):
    for code, spec in SPECS.items():
        indicator = Indicator.objects.get(code=code)
        assert indicator.copy_url == spec.get("copy_url", "")
        assert indicator.source_url == spec["source_url"]
        assert (indicator.minimum, indicator.maximum) == (spec.get("minimum"), spec.get("maximum"))
        assert indicator.direction == spec["direction"]


def test_a_gap_stays_a_gap_and_a_published_zero_stays_a_zero(world):
    release = world.release
    # Kenya has no system on the TOP500 list and gives no ODA: no observation, not a zero
    assert not any(row["iso3"] == "KEN" for row in csv_rows(SPECS["top500_systems"]["file"]))
    assert not release.observations.filter(
        country__iso3="KEN", indicator__code__in=["top500_systems", "oda_gni"]
    ).exists()
    # Taiwan has AIPI pillars but no total in the IMF file
    taiwan = release.observations.filter(country__iso3="TWN")
    assert not taiwan.filter(indicator__code="aipi_total").exists()
    assert taiwan.filter(indicator__code="aipi_regulation_ethics").exists()
    # CSET publishes 0 for Peru's private AI investment: that zero is the source's value
    assert (
        release.observations.get(country__iso3="PER", indicator__code="ai_private_investment").value
        == 0
    )


def test_codes_outside_the_common_list_are_known(world):
    observed = set(world.release.observations.values_list("country__iso3", flat=True))
    assert {"XKX", "TWN", "PSE", "VAT", "HKG"} <= observed


def test_loading_twice_changes_nothing(world):
    before = snapshot()
    report = world_data_load()
    assert not report.changed_anything
    assert report.release == world.release
    assert snapshot() == before


def test_an_indicator_without_a_copy_url_gets_the_manifest_one_and_an_editor_one_is_kept():
    fsi = Indicator.objects.get(code="fsi_total")
    fsi.copy_url = ""
    fsi.save(update_fields=["copy_url"])
    gdp = Indicator.objects.get(code="gdp_pc_ppp")
    gdp.copy_url = "https://example.org/an-editors-correction"
    gdp.save(update_fields=["copy_url"])
    world_data_load()
    assert Indicator.objects.get(code="fsi_total").copy_url == SPECS["fsi_total"]["copy_url"]
    assert Indicator.objects.get(code="gdp_pc_ppp").copy_url == gdp.copy_url
