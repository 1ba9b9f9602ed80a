import pycountry
import pytest

from countries.models import Country

pytestmark = pytest.mark.django_db


def test_every_iso_3166_country_exists_plus_kosovo():
    # given the data migration has run
    iso3 = set(Country.objects.filter(iso_assigned=True).values_list("iso3", flat=True))
    # then every ISO 3166-1 entry is there, and Kosovo under its user-assigned code
    assert iso3 == {c.alpha_3 for c in pycountry.countries}
    kosovo = Country.objects.get(iso3="XKX")
    assert (kosovo.iso2, kosovo.numeric, kosovo.iso_assigned) == ("XK", "", False)
    assert Country.objects.count() == 250


@pytest.mark.parametrize(
    ("iso3", "region", "subregion", "intermediate"),
    [
        ("KEN", "Africa", "Sub-Saharan Africa", "Eastern Africa"),
        ("EGY", "Africa", "Northern Africa", ""),
        ("BRA", "Americas", "Latin America and the Caribbean", "South America"),
        ("USA", "Americas", "Northern America", ""),
        ("FRA", "Europe", "Western Europe", ""),
        ("IND", "Asia", "Southern Asia", ""),
        ("FJI", "Oceania", "Melanesia", ""),
        ("ATA", "", "", ""),
    ],
)
def test_countries_carry_their_un_m49_placement(iso3, region, subregion, intermediate):
    country = Country.objects.get(iso3=iso3)
    assert (country.region, country.subregion, country.intermediate_region) == (
        region,
        subregion,
        intermediate,
    )
