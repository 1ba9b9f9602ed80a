"""Forms of the countries app: a file of observations and how to read it."""

import json

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from aimai_site.jsonbounds import JSONTooDeep, json_loads_bounded
from countries.choices import ImportLayout
from countries.models import ImportMapping

LAYOUT_HELP = _(
    "Long: columns iso3 (or country), indicator, year, value, source. Wide: one row per "
    "country and one column per year, as the World Bank, UNDP and IMF downloads come."
)


class ObservationFileForm(forms.Form):
    """A CSV or XLSX file and, for a wide file, which columns say what. The same form serves
    the editors' import and the public file checker."""

    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV (UTF-8) or XLSX; the format is read from the content, not the name."),
    )
    saved_mapping = forms.ModelChoiceField(
        label=_("Saved mapping"),
        queryset=ImportMapping.objects.all(),
        required=False,
        empty_label=_("— none: the fields below —"),
        help_text=_("A source's columns as saved by an editor; it overrides the fields below."),
    )
    layout = forms.ChoiceField(
        label=_("Layout"), choices=ImportLayout.choices, help_text=LAYOUT_HELP
    )
    country_column = forms.CharField(
        label=_("Country column"),
        required=False,
        max_length=100,
        help_text=_("Wide files: the column naming the country (e.g. “Country Code”)."),
    )
    indicator_column = forms.CharField(
        label=_("Indicator column"),
        required=False,
        max_length=100,
        help_text=_("The column naming the series (e.g. “Indicator Code”), if any."),
    )
    indicator = forms.CharField(
        label=_("Indicator"),
        required=False,
        max_length=60,
        help_text=_("The indicator code of every row, when the file holds one indicator."),
    )
    indicator_codes = forms.CharField(
        label=_("Indicator codes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text=_(
            "The source's series codes and our indicators, as JSON, e.g. "
            '{"IT.NET.USER.ZS": "internet_users"}.'
        ),
    )
    source = forms.CharField(
        label=_("Source"),
        required=False,
        max_length=800,
        help_text=_(
            "The citation of every row when the file has no source column: a URL, "
            "optionally followed by a note in brackets."
        ),
    )
    sheet = forms.CharField(
        label=_("Sheet"),
        required=False,
        max_length=100,
        help_text=_("XLSX: the sheet to read (default: the first)."),
    )

    def clean_indicator_codes(self):
        text = self.cleaned_data["indicator_codes"].strip()
        if not text:
            return {}
        try:
            codes = json_loads_bounded(text)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(
                gettext("Not valid JSON: {error} (line {line}).").format(
                    error=exc.msg, line=exc.lineno
                )
            ) from None
        except JSONTooDeep as exc:
            raise forms.ValidationError(str(exc)) from None
        if not isinstance(codes, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in codes.items()
        ):
            raise forms.ValidationError(
                gettext("Give an object of series codes to indicator codes.")
            )
        return codes

    def mapping(self) -> dict:
        """How to read the file, as the intake rules take it."""
        saved = self.cleaned_data.get("saved_mapping")
        if saved is not None:
            return {**saved.as_layout(), "sheet": self.cleaned_data.get("sheet", "")}
        keys = [
            "layout",
            "country_column",
            "indicator_column",
            "indicator",
            "indicator_codes",
            "source",
            "sheet",
        ]
        return {key: self.cleaned_data.get(key) for key in keys if self.cleaned_data.get(key)}


class ImportForm(ObservationFileForm):
    save_mapping_as = forms.CharField(
        label=_("Save mapping as"),
        required=False,
        max_length=100,
        help_text=_(
            "Save these columns under a name (e.g. “World Bank WDI”) to choose them next time."
        ),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        help_text=_("The editors read it in the release's history: say what must change."),
        error_messages={"required": _("Say why: a reason is required to return a release.")},
    )
