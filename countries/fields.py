"""Form fields that offer countries by their names in the reader's language."""

from django import forms
from django.forms.models import ModelChoiceIterator

from countries.models import Country
from countries.names import country_name, name_sort_key


class _LocalOrder(ModelChoiceIterator):
    """The choices in the alphabetical order of the reader's language, not the stored one."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for country in sorted(self.queryset, key=lambda c: name_sort_key(c.local_name)):
            yield self.choice(country)


class CountryChoiceField(forms.ModelChoiceField):
    iterator = _LocalOrder

    def __init__(self, queryset=None, **kwargs) -> None:
        super().__init__(Country.objects.all() if queryset is None else queryset, **kwargs)

    def label_from_instance(self, obj: Country) -> str:
        return f"{obj.local_name} ({obj.iso3})"  # the code tells apart names that look alike


def country_code_choices() -> list[tuple[str, str]]:
    """(ISO3, name in the reader's language) for every country, in that language's order."""
    rows = Country.objects.values_list("iso3", "iso2", "name")
    named = [(iso3, country_name(iso2, name)) for iso3, iso2, name in rows]
    return sorted(named, key=lambda choice: name_sort_key(choice[1]))
