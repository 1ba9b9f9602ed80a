"""Forms of the compacts pages. They check what a person typed and say what is wrong, field by
field; they never save: views hand `cleaned_data` to the services, which check again who may."""

from __future__ import annotations

import re

from django import forms
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aimai_site.validators import plain_text, web_address_check
from compacts.choices import (
    PUBLIC_STATUSES,
    CompactStatus,
    Contribution,
    Domain,
    Licence,
    PartyRole,
    ResourceKind,
    Role,
)
from compacts.models import (
    Compact,
    Milestone,
    Need,
    Offer,
    Organisation,
    Outcome,
    Party,
    Resource,
)
from compacts.templatetags.compact_pages import plain
from compacts.vocabulary import LANGUAGE_CODE, TARGETS_HELP, languages_clean, targets_clean
from countries.fields import CountryChoiceField, country_code_choices
from countries.models import Country

CHECKBOXES = forms.CheckboxSelectMultiple
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class WordListField(forms.CharField):
    """Comma-separated words typed in one box ("sw, en, pt-BR"), kept as a list."""

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(str(getattr(v, "iso3", v)) for v in value)
        return value

    def to_python(self, value) -> list[str]:
        words = [w.strip() for w in re.split(r"[,;\s]+", super().to_python(value) or "")]
        return list(dict.fromkeys(w for w in words if w))  # no blanks, no repeats


class LanguagesField(WordListField):
    def clean(self, value) -> list[str]:
        tags, wrong = languages_clean(super().clean(value))
        if wrong:
            raise forms.ValidationError(
                _("Not a language code: %(codes)s. Use codes such as en, sw or pt-BR.")
                % {"codes": ", ".join(wrong)}
            )
        return tags


class CountryCodesField(WordListField):
    """ISO 3166-1 alpha-3 codes, as Country rows."""

    def clean(self, value) -> list[Country]:
        codes = [c.upper() for c in super().clean(value)]
        found = {c.iso3: c for c in Country.objects.filter(iso3__in=codes)}
        unknown = [c for c in codes if c not in found]
        if unknown:
            raise forms.ValidationError(
                _("Unknown country code: %(codes)s. Use ISO alpha-3 codes such as KEN or BRA.")
                % {"codes": ", ".join(unknown)}
            )
        return [found[c] for c in codes]


class TargetsField(WordListField):
    """Country codes (ISO alpha-3) or UN regions; none means anyone."""

    def clean(self, value) -> list[str]:
        words = super().clean(value)
        codes = [w.upper() for w in words]
        known = set(Country.objects.filter(iso3__in=codes).values_list("iso3", flat=True))
        kept, unknown = targets_clean(words, known)
        if unknown:
            raise forms.ValidationError(
                _("Not a country code or a region: %(words)s. %(help)s")
                % {"words": ", ".join(unknown), "help": TARGETS_HELP}
            )
        return kept


def _choose_one(label) -> str:
    return _("Choose at least one: %(field)s.") % {"field": str(label).lower()}


# the message is worded when it is shown, in the page's language
_choose_one_lazy = lazy(_choose_one, str)


def _checkboxes(choices, label, *, required: bool = False, help_text=""):
    return forms.MultipleChoiceField(
        choices=choices,
        widget=CHECKBOXES,
        required=required,
        label=label,
        help_text=help_text,
        error_messages={"required": _choose_one_lazy(label)},
    )


def _country_select(**kwargs) -> forms.ModelChoiceField:
    return CountryChoiceField(**kwargs)


class OrganisationForm(forms.ModelForm):
    country = _country_select(help_text=gettext_lazy("Where the organisation is based."))
    website = forms.URLField(
        required=False, assume_scheme="https", max_length=200, validators=[web_address_check]
    )

    class Meta:
        model = Organisation
        fields = ["name", "kind", "country", "website", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("E-mail address"),
        help_text=gettext_lazy(
            "The invitation waits on their dashboard once they sign up with this address."
        ),
    )
    role = forms.ChoiceField(choices=Role.choices, initial=Role.MEMBER, widget=forms.RadioSelect)


LISTING_TEXT = {"description": forms.Textarea(attrs={"rows": 4})}


class OfferForm(forms.ModelForm):
    """An offer: what it is, then the fields of its kind (compute, open model)."""

    domains = _checkboxes(Domain.choices, gettext_lazy("Domains"), required=True)
    languages = LanguagesField(
        help_text=gettext_lazy("Language codes, comma-separated, e.g. sw, en, pt-BR.")
    )
    targets = TargetsField(
        label=gettext_lazy("For whom"),
        required=False,
        help_text=gettext_lazy(
            "Country codes (e.g. KEN, UGA) or regions (e.g. Africa), comma-separated. "
            "Leave empty if the offer is open to anyone."
        ),
    )
    lacks = _checkboxes(
        Contribution.choices,
        gettext_lazy("What the offer lacks"),
        help_text=gettext_lazy("What a partner would bring: matching favours needs that bring it."),
    )
    hosted_in = _country_select(
        required=False,
        help_text=gettext_lazy("Where the hardware or the data resides, if anywhere."),
    )

    # fields shown only for one kind of resource (see templates/compacts/listing_form.html)
    KIND_FIELDS = {
        ResourceKind.COMPUTE: (
            gettext_lazy("For compute"),
            ["accelerator", "amount", "unit", "available_from", "available_until"],
        ),
        ResourceKind.MODEL: (
            gettext_lazy("For an open model"),
            ["model_name", "modality", "parameters"],
        ),
    }

    class Meta:
        model = Offer
        fields = [
            "title",
            "description",
            "kind",
            "domains",
            "languages",
            "targets",
            "licence",
            "sovereignty_terms",
            "hosted_in",
            "lacks",
            "accelerator",
            "amount",
            "unit",
            "available_from",
            "available_until",
            "model_name",
            "modality",
            "parameters",
        ]
        widgets = {
            **LISTING_TEXT,
            "kind": forms.RadioSelect,
            "licence": forms.RadioSelect,
            "sovereignty_terms": forms.Textarea(attrs={"rows": 3}),
            "available_from": DATE,
            "available_until": DATE,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # radio buttons: no "---------" choice for what must be chosen
        self.fields["kind"].choices = ResourceKind.choices
        self.fields["licence"].choices = Licence.choices

    def groups(self):
        """(kind, legend, fields): the common fields first, then each kind's own."""
        specific = {name for _legend, names in self.KIND_FIELDS.values() for name in names}
        yield "", "", [self[name] for name in self.fields if name not in specific]
        for kind, (legend, names) in self.KIND_FIELDS.items():
            yield kind, legend, [self[name] for name in names]


class NeedForm(forms.ModelForm):
    country = _country_select(help_text=gettext_lazy("Where the need is."))
    domains = _checkboxes(Domain.choices, gettext_lazy("Domains"), required=True)
    languages = LanguagesField(
        help_text=gettext_lazy("Language codes, comma-separated, e.g. sw, en.")
    )
    wants = _checkboxes(ResourceKind.choices, gettext_lazy("Resources sought"), required=True)
    brings = _checkboxes(Contribution.choices, gettext_lazy("What it brings"))
    licences = _checkboxes(Licence.choices, gettext_lazy("Acceptable licences"), required=True)

    class Meta:
        model = Need
        fields = [
            "title",
            "description",
            "country",
            "domains",
            "languages",
            "wants",
            "brings",
            "brings_detail",
            "licences",
            "data_stays",
            "prefer_cluster",
        ]
        widgets = {**LISTING_TEXT, "brings_detail": forms.Textarea(attrs={"rows": 3})}

    def groups(self):
        yield "", "", list(self)


class CompactTermsForm(forms.ModelForm):
    """The terms of a compact and its safeguards."""

    domains = _checkboxes(Domain.choices, gettext_lazy("Domains"))
    countries = CountryCodesField(
        required=False,
        help_text=gettext_lazy(
            "ISO alpha-3 codes of the countries it serves, comma-separated, e.g. KEN, TZA."
        ),
    )

    class Meta:
        model = Compact
        fields = [
            "title",
            "summary",
            "domains",
            "countries",
            "reporting_period_days",
            *Compact.SAFEGUARDS,
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 3}) for name in ("summary", *Compact.SAFEGUARDS)
        }
        help_texts = {
            "reporting_period_days": gettext_lazy("Days between progress reports (at least 7).")
        }


class CompactCreateForm(CompactTermsForm):
    role = forms.ChoiceField(
        label=gettext_lazy("Your organisation's role"),
        choices=PartyRole.choices,
        initial=PartyRole.PROVIDER,
    )

    class Meta(CompactTermsForm.Meta):
        fields = ["role", "title", "summary", "domains", "countries"]


class PartyForm(forms.Form):
    organisation = forms.ModelChoiceField(
        Organisation.objects.none(), label=gettext_lazy("Organisation")
    )
    role = forms.ChoiceField(choices=PartyRole.choices)

    def __init__(self, *args, compact: Compact, **kwargs):
        super().__init__(*args, prefix="party", **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.exclude(
            parties__compact=compact
        ).order_by("name")


class ResourceForm(forms.ModelForm):
    class Meta:
        model = Resource
        fields = ["party", "kind", "description", "amount", "unit"]
        labels = {"party": gettext_lazy("Committed by")}

    def __init__(self, *args, compact: Compact, user=None, **kwargs):
        super().__init__(*args, prefix="resource", instance=Resource(compact=compact), **kwargs)
        parties = compact.parties.select_related("organisation")
        if user is not None:  # a member writes what their own organisation commits
            parties = parties.filter(organisation__memberships__user=user)
        self.fields["party"].queryset = parties


class OutcomeForm(forms.ModelForm):
    class Meta:
        model = Outcome
        fields = ["indicator", "unit", "baseline", "target", "due"]
        widgets = {"due": DATE}

    def __init__(self, *args, compact: Compact, user=None, **kwargs):
        super().__init__(*args, prefix="outcome", instance=Outcome(compact=compact), **kwargs)


class MilestoneForm(forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["title", "due"]
        widgets = {"due": DATE}

    def __init__(self, *args, compact: Compact, user=None, **kwargs):
        super().__init__(*args, prefix="milestone", instance=Milestone(compact=compact), **kwargs)


PART_FORMS = {"resource": ResourceForm, "outcome": OutcomeForm, "milestone": MilestoneForm}


class ActionForm(forms.Form):
    """A lifecycle button's form: a reason where one is required; for a signature the party
    and the revision the signer read."""

    reason = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), validators=[plain_text]
    )
    party = forms.IntegerField(required=False, widget=forms.HiddenInput)
    revision = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, reason_required: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if reason_required:
            self.fields["reason"].required = True
            self.fields["reason"].error_messages["required"] = _("Say why: a reason is required.")


class ReportForm(forms.Form):
    """A progress report: the period, a summary, and a value per outcome."""

    party = forms.ModelChoiceField(Party.objects.none(), label=gettext_lazy("Reporting party"))
    period_end = forms.DateField(label=gettext_lazy("Period ending"), widget=DATE)
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), validators=[plain_text])

    def __init__(self, *args, compact: Compact, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party"].queryset = compact.parties.filter(
            organisation__memberships__user=user
        ).select_related("organisation")
        self.outcomes = list(compact.outcomes.all())
        for outcome in self.outcomes:
            self.fields[f"outcome_{outcome.pk}"] = forms.DecimalField(
                label=f"{outcome.indicator}" + (f" ({outcome.unit})" if outcome.unit else ""),
                required=False,
                max_digits=16,
                decimal_places=4,
                help_text=_("Baseline %(baseline)s, target %(target)s by %(due)s.")
                % {
                    "baseline": plain(outcome.baseline),
                    "target": plain(outcome.target),
                    "due": outcome.due.isoformat(),
                },
            )

    def clean_period_end(self):
        period_end = self.cleaned_data["period_end"]
        if period_end > timezone.localdate():
            raise forms.ValidationError(_("The period cannot end in the future."))
        return period_end

    def values(self) -> dict:
        return {
            o.pk: self.cleaned_data[f"outcome_{o.pk}"]
            for o in self.outcomes
            if self.cleaned_data.get(f"outcome_{o.pk}") is not None
        }


# filters of the public lists ---------------------------------------------------------------


def _any(choices, anything) -> list:
    """The choices after an empty one, `anything` ("Any domain")."""
    return [("", anything), *choices]


class _FilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=100)
    domain = forms.ChoiceField(
        choices=_any(Domain.choices, gettext_lazy("Any domain")), required=False
    )
    country = forms.ChoiceField(required=False)

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and data.get("country"):
            data = data.copy()  # ken or KEN: the codes are upper case
            data["country"] = data["country"].upper()
        super().__init__(data, *args, **kwargs)
        self.fields["country"].choices = [
            ("", _("Any country")),
            *country_code_choices(),
        ]


class CompactFilterForm(_FilterForm):
    status = forms.ChoiceField(
        choices=_any(
            [(s, CompactStatus(s).label) for s in CompactStatus if s in PUBLIC_STATUSES],
            gettext_lazy("Any status"),
        ),
        required=False,
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Resource kind"),
        choices=_any(ResourceKind.choices, gettext_lazy("Any kind")),
        required=False,
    )


class ListingFilterForm(_FilterForm):
    kind = forms.ChoiceField(
        label=gettext_lazy("Resource kind"),
        choices=_any(ResourceKind.choices, gettext_lazy("Any kind")),
        required=False,
    )
    language = forms.CharField(label=gettext_lazy("Language code"), required=False, max_length=12)

    def clean_language(self) -> str:
        code = self.cleaned_data["language"].strip()
        if code and not LANGUAGE_CODE.match(code):
            raise forms.ValidationError(_("Use a language code such as en, sw or pt-BR."))
        return code


class MilestoneDoneForm(forms.Form):
    done_on = forms.DateField(label=gettext_lazy("Reached on"), widget=DATE)
