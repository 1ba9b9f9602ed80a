"""Countries and indicators: reference data, changed with a reason kept in the history."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from countries.admin.common import ReasonedHistoryAdmin
from countries.models import (
    Country,
    Indicator,
)


@admin.register(Country)
class CountryAdmin(ReasonedHistoryAdmin):
    list_display = ["name", "iso3", "iso2", "numeric", "region", "subregion", "income_group"]
    list_filter = ["region", "subregion", "income_group", "iso_assigned"]
    search_fields = ["name", "official_name", "iso3", "iso2", "numeric"]
    readonly_fields = ["iso2", "iso3", "numeric", "iso_assigned"]
    ordering = ["name"]


@admin.register(Indicator)
class IndicatorAdmin(ReasonedHistoryAdmin):
    list_display = [
        "code",
        "name",
        "dimension",
        "direction",
        "unit",
        "plausible_range",
        "source_organisation",
    ]
    list_filter = ["dimension", "direction", "log_scale", "source_organisation"]
    search_fields = ["code", "name", "description", "source_organisation"]

    @admin.display(description=_("Plausible values"))
    def plausible_range(self, obj):
        low = "" if obj.minimum is None else f"{obj.minimum:g}"
        high = "" if obj.maximum is None else f"{obj.maximum:g}"
        return f"{low}–{high}" if low or high else pgettext("plausible values", "any")

    def get_readonly_fields(self, request, obj=None):
        # What a published value means is fixed with it (the database enforces this too).
        if obj is not None and obj.observations.filter(release__status="published").exists():
            return ["code", "dimension", "direction", "unit"]
        return []
