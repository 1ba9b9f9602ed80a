"""Reference list of countries, built from maintained packages rather than typed by hand.

Codes and names come from pycountry (ISO 3166-1); the UN M49 placement comes from
country_converter's data table, which gives each country its M49 intermediate region or,
where there is none, its sub-region. The M49 hierarchy above that is the fixed table below.
"""

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import pycountry

# UN M49: intermediate region -> sub-region, and sub-region -> region.
M49_INTERMEDIATE_TO_SUBREGION = {
    "Eastern Africa": "Sub-Saharan Africa",
    "Middle Africa": "Sub-Saharan Africa",
    "Southern Africa": "Sub-Saharan Africa",
    "Western Africa": "Sub-Saharan Africa",
    "Caribbean": "Latin America and the Caribbean",
    "Central America": "Latin America and the Caribbean",
    "South America": "Latin America and the Caribbean",
}
M49_SUBREGION_TO_REGION = {
    "Northern Africa": "Africa",
    "Sub-Saharan Africa": "Africa",
    "Latin America and the Caribbean": "Americas",
    "Northern America": "Americas",
    "Central Asia": "Asia",
    "Eastern Asia": "Asia",
    "South-eastern Asia": "Asia",
    "Southern Asia": "Asia",
    "Western Asia": "Asia",
    "Eastern Europe": "Europe",
    "Northern Europe": "Europe",
    "Southern Europe": "Europe",
    "Western Europe": "Europe",
    "Australia and New Zealand": "Oceania",
    "Melanesia": "Oceania",
    "Micronesia": "Oceania",
    "Polynesia": "Oceania",
}
# UN M49 area codes, by which locale data (CLDR) names each area in other languages.
M49_CODES = {
    "Africa": "002",
    "Americas": "019",
    "Asia": "142",
    "Europe": "150",
    "Oceania": "009",
    "Northern Africa": "015",
    "Sub-Saharan Africa": "202",
    "Eastern Africa": "014",
    "Middle Africa": "017",
    "Southern Africa": "018",
    "Western Africa": "011",
    "Latin America and the Caribbean": "419",
    "Caribbean": "029",
    "Central America": "013",
    "South America": "005",
    "Northern America": "021",
    "Central Asia": "143",
    "Eastern Asia": "030",
    "South-eastern Asia": "035",
    "Southern Asia": "034",
    "Western Asia": "145",
    "Eastern Europe": "151",
    "Northern Europe": "154",
    "Southern Europe": "039",
    "Western Europe": "155",
    "Australia and New Zealand": "053",
    "Melanesia": "054",
    "Micronesia": "057",
    "Polynesia": "061",
}
# Codes outside ISO 3166-1 that international statistics use and that we therefore keep.
USER_ASSIGNED_ISO3 = {"XKX"}  # Kosovo, as coded by the World Bank and the EU


@dataclass(frozen=True)
class CountryRecord:
    iso2: str
    iso3: str
    numeric: str
    name: str
    official_name: str
    iso_assigned: bool
    region: str
    subregion: str
    intermediate_region: str


def _coco_rows() -> dict[str, dict[str, str]]:
    table = resources.files("country_converter").joinpath("country_data.tsv")
    with table.open(encoding="utf-8") as handle:
        return {row["ISO3"]: row for row in csv.DictReader(handle, delimiter="\t")}


def _m49(un_region: str) -> tuple[str, str, str]:
    """(region, sub-region, intermediate region) for country_converter's `UNregion` value."""
    if un_region in M49_INTERMEDIATE_TO_SUBREGION:
        subregion = M49_INTERMEDIATE_TO_SUBREGION[un_region]
        return M49_SUBREGION_TO_REGION[subregion], subregion, un_region
    if un_region in M49_SUBREGION_TO_REGION:
        return M49_SUBREGION_TO_REGION[un_region], un_region, ""
    return "", "", ""  # Antarctica: no M49 region


def country_records() -> Iterator[CountryRecord]:
    """Every ISO 3166-1 country, plus the user-assigned codes we keep, in ISO3 order."""
    coco = _coco_rows()
    for entry in sorted(pycountry.countries, key=lambda c: c.alpha_3):
        row = coco.get(entry.alpha_3, {})
        name = row.get("name_short") or getattr(entry, "common_name", None) or entry.name
        region, subregion, intermediate = _m49(row.get("UNregion", ""))
        yield CountryRecord(
            iso2=entry.alpha_2,
            iso3=entry.alpha_3,
            numeric=entry.numeric,
            name=name,
            official_name=getattr(entry, "official_name", entry.name),
            iso_assigned=True,
            region=region,
            subregion=subregion,
            intermediate_region=intermediate,
        )
    for iso3 in sorted(USER_ASSIGNED_ISO3):
        row = coco[iso3]
        region, subregion, intermediate = _m49(row["UNregion"])
        yield CountryRecord(
            iso2=row["ISO2"],
            iso3=iso3,
            numeric="",  # ISO assigns no numeric code
            name=row["name_short"],
            official_name=row["name_official"],
            iso_assigned=False,
            region=region,
            subregion=subregion,
            intermediate_region=intermediate,
        )


@lru_cache(maxsize=1)
def _iso2_by_iso3() -> dict[str, str]:
    return {record.iso3: record.iso2 for record in country_records()}


def iso2_of(iso3: str) -> str:
    """The alpha-2 code of an alpha-3 one ("" for a code no country has)."""
    return _iso2_by_iso3().get(iso3.upper(), "")


def countries_sync(country_model: type) -> int:
    """Create every reference country missing from `country_model`; return how many.

    Existing rows are left alone: editors may have corrected them. Takes the model class so
    that the data migration can pass its historical model.
    """
    existing = set(country_model.objects.values_list("iso3", flat=True))
    missing = [r for r in country_records() if r.iso3 not in existing]
    for record in missing:
        country_model.objects.create(**record.__dict__)
    return len(missing)
