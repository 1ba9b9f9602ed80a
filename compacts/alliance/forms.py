"""Forms of the alliance's pages: they check what a person typed; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from aimai_site.validators import web_address_check
from compacts.choices import Domain, OrganisationKind, Way
from compacts.models import Organisation
from countries.fields import CountryChoiceField

AS_INDIVIDUAL = "individual"
AS_NEW = "new"
AS_OWNED = "owned"
ORGANISATION_KINDS = [c for c in OrganisationKind.choices if c[0] != OrganisationKind.INDIVIDUAL]


class JoinForm(forms.Form):
    """Apply to join: as a person, for a new organisation, or for one the applicant owns."""

    applying_as = forms.ChoiceField(
        label=_("You apply"),
        choices=[
            (AS_INDIVIDUAL, _("As an individual")),
            (AS_NEW, _("For a new organisation")),
            (AS_OWNED, _("For an organisation you own")),
        ],
        widget=forms.RadioSelect,
        initial=AS_INDIVIDUAL,
    )
    # as an individual
    your_name = forms.CharField(label=_("Your name"), max_length=200, required=False)
    your_country = CountryChoiceField(
        label=_("Your country"), required=False, help_text=_("Where you live.")
    )
    listed = forms.BooleanField(
        label=_("List me in the member directory"),
        required=False,
        initial=False,
        help_text=_("Organisations are listed; a person is only if they say so."),
    )
    # for a new organisation
    organisation_name = forms.CharField(
        label=_("Organisation name"), max_length=200, required=False
    )
    kind = forms.ChoiceField(
        label=_("Kind of organisation"), choices=[("", "—"), *ORGANISATION_KINDS], required=False
    )
    organisation_country = CountryChoiceField(label=_("Where it is based"), required=False)
    website = forms.URLField(
        label=_("Website"),
        required=False,
        assume_scheme="https",
        max_length=200,
        validators=[web_address_check],
    )
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    # for one the applicant owns
    organisation = forms.ModelChoiceField(
        Organisation.objects.none(), label=_("Your organisation"), required=False
    )
    # for everyone
    reason = forms.CharField(
        label=_("Why you join"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000
    )
    ways = forms.MultipleChoiceField(
        label=_("How you will take part"),
        choices=Way.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one way of taking part.")},
    )
    domains = forms.MultipleChoiceField(
        label=_("Focus domains"),
        choices=Domain.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    endorse = forms.BooleanField(
        label=_("I have read the principles above and endorse them"),
        error_messages={"required": _("Read the principles and endorse them to apply.")},
    )
    principles_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    INDIVIDUAL_FIELDS = ("your_name", "your_country", "listed")
    NEW_FIELDS = ("organisation_name", "kind", "organisation_country", "website", "description")

    def __init__(self, *args, owned=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = (
            owned if owned is not None else (Organisation.objects.none())
        )

    def clean(self):
        data = super().clean()
        applying_as = data.get("applying_as")
        required = {
            AS_INDIVIDUAL: ("your_name", "your_country"),
            AS_NEW: ("organisation_name", "kind", "organisation_country"),
            AS_OWNED: ("organisation",),
        }.get(applying_as, ())
        if applying_as == AS_OWNED and not self.fields["organisation"].queryset.exists():
            raise forms.ValidationError(
                gettext("You own no organisation yet: apply for a new one, or as an individual.")
            )
        for name in required:
            if not data.get(name) and name not in self.errors:
                self.add_error(name, gettext("Required for this way of applying."))
        return data

    def application(self) -> dict:
        """The keyword arguments of membership_apply, from the cleaned data."""
        data = self.cleaned_data
        common = {
            "reason": data["reason"],
            "ways": data["ways"],
            "domains": data["domains"],
            "endorse": data["endorse"],
            "principles_version": data["principles_version"],
        }
        if data["applying_as"] == AS_INDIVIDUAL:
            return {
                **common,
                "listed": data["listed"],
                "new_organisation": {
                    "name": data["your_name"],
                    "kind": OrganisationKind.INDIVIDUAL,
                    "country": data["your_country"],
                },
            }
        if data["applying_as"] == AS_NEW:
            return {
                **common,
                "new_organisation": {
                    "name": data["organisation_name"],
                    "kind": data["kind"],
                    "country": data["organisation_country"],
                    "website": data["website"],
                    "description": data["description"],
                },
            }
        return {**common, "organisation": data["organisation"]}


class EndorseForm(forms.Form):
    principles_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    endorse = forms.BooleanField(
        label=_("I have read this version of the principles and endorse it"),
        error_messages={"required": _("Tick the box to endorse the principles.")},
    )


class EndForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Yes, end this membership"),
        error_messages={"required": _("Tick the box to confirm that the membership ends.")},
    )
    reason = forms.CharField(
        label=_("Why (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DecisionForm(forms.Form):
    """An editor's decision; the service says when a reason is required."""

    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PrincipleForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    text = forms.CharField(
        label=_("Text"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


PrinciplesFormSet = forms.formset_factory(PrincipleForm, extra=1, max_num=20, absolute_max=20)


class PrinciplesVersionForm(forms.Form):
    note = forms.CharField(
        label=_("What changed"),
        required=False,  # the service says it is needed, and why
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Members read this when they are asked to endorse the new version."),
    )
    renewal_days = forms.IntegerField(
        label=_("Days members have to endorse it"),
        min_value=7,
        max_value=3650,
        initial=90,
        help_text=_("A membership lapses if the new version is not endorsed in time."),
    )
