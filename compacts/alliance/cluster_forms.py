"""Forms of regional clusters: a proposal, a decision, joining and leaving."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from aimai_site.validators import plain_text, single_line
from compacts.alliance.cluster_selectors import region_choices
from compacts.choices import ClusterRegion, Domain
from compacts.forms import CHECKBOXES, CountryCodesField
from compacts.models import Organisation

CUSTOM = "custom:"


class ClusterProposeForm(forms.Form):
    organisation = forms.ModelChoiceField(
        Organisation.objects.none(),
        label=_("Proposed by"),
        help_text=_("The organisation that proposes it joins it once an editor approves it."),
    )
    name = forms.CharField(label=_("Name"), max_length=120, validators=[single_line])
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        validators=[plain_text],
        help_text=_("What its members mean to do together."),
    )
    region = forms.ChoiceField(
        label=_("Countries"),
        help_text=_("A UN M49 grouping, or countries chosen one by one (listed below)."),
    )
    countries = CountryCodesField(
        required=False,
        label=_("Countries chosen one by one"),
        help_text=_("ISO alpha-3 codes, comma-separated, e.g. KEN, TZA, UGA."),
    )
    domains = forms.MultipleChoiceField(
        choices=Domain.choices,
        widget=CHECKBOXES,
        label=_("Focus domains"),
        error_messages={"required": _("Choose at least one: focus domains.")},
    )

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations or Organisation.objects.none()
        self.fields["region"].choices = [
            (gettext("Chosen one by one"), [(CUSTOM, gettext("Countries chosen one by one"))]),
            *region_choices(),
        ]

    def clean(self):
        data = super().clean()
        region = data.get("region")
        if region:
            kind, _sep, name = region.partition(":")
            data["region_kind"], data["region_name"] = kind, name
            if kind == ClusterRegion.CUSTOM and len(data.get("countries") or []) < 2:
                self.add_error(
                    "countries", gettext("Name at least two countries, or choose a region.")
                )
        return data

    def proposal(self) -> dict:
        data = self.cleaned_data
        return {
            "organisation": data["organisation"],
            "name": data["name"],
            "description": data["description"],
            "region_kind": data["region_kind"],
            "region_name": data["region_name"],
            "countries": data.get("countries") or [],
            "domains": data["domains"],
        }


class ClusterDecisionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        validators=[plain_text],
        help_text=_("Required to decline; the proposer is told."),
    )


class ClusterMemberForm(forms.Form):
    """Which of the user's organisations joins or leaves."""

    organisation = forms.SlugField()
