"""Forms of regional clusters: a proposal, a decision, joining and leaving."""

from __future__ import annotations

from django import forms

from aimai_site.validators import plain_text, single_line
from compacts.alliance.cluster_selectors import region_choices
from compacts.choices import ClusterRegion, Domain
from compacts.forms import CHECKBOXES, CountryCodesField
from compacts.models import Organisation

CUSTOM = "custom:"


class ClusterProposeForm(forms.Form):
    organisation = forms.ModelChoiceField(
        Organisation.objects.none(),
        label="Proposed by",
        help_text="The organisation that proposes it joins it once an editor approves it.",
    )
    name = forms.CharField(max_length=120, validators=[single_line])
    description = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        validators=[plain_text],
        help_text="What its members mean to do together.",
    )
    region = forms.ChoiceField(
        label="Countries",
        help_text="A UN M49 grouping, or countries chosen one by one (listed below).",
    )
    countries = CountryCodesField(
        required=False,
        label="Countries chosen one by one",
        help_text="ISO alpha-3 codes, comma-separated, e.g. KEN, TZA, UGA.",
    )
    domains = forms.MultipleChoiceField(
        choices=Domain.choices,
        widget=CHECKBOXES,
        label="Focus domains",
        error_messages={"required": "Choose at least one: focus domains."},
    )

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations or Organisation.objects.none()
        self.fields["region"].choices = [
            ("Chosen one by one", [(CUSTOM, "Countries chosen one by one")]),
            *region_choices(),
        ]

    def clean(self):
        data = super().clean()
        region = data.get("region")
        if region:
            kind, _, name = region.partition(":")
            data["region_kind"], data["region_name"] = kind, name
            if kind == ClusterRegion.CUSTOM and len(data.get("countries") or []) < 2:
                self.add_error("countries", "Name at least two countries, or choose a region.")
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
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        validators=[plain_text],
        help_text="Required to decline; the proposer is told.",
    )


class ClusterMemberForm(forms.Form):
    """Which of the user's organisations joins or leaves."""

    organisation = forms.SlugField()
