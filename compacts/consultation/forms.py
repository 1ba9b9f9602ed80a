"""Forms of the consultation's pages: they check what a person typed; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from compacts.consultation.models import PERIOD_DEFAULT_DAYS, PERIOD_MAX_DAYS, PERIOD_MIN_DAYS
from compacts.consultation.shifts import SOURCE_MAX, STATE_MAX
from compacts.models import Organisation

FILE_HELP = _(
    "A methodology file (YAML or JSON) of the headline methodology: it reweights, switches off "
    "or renormalises indicators in use. Leave empty when you come from the explorer."
)


def _file_text(upload, field: str) -> str:
    if upload is None:
        return ""
    if upload.size > SOURCE_MAX * 4:
        raise forms.ValidationError({field: gettext("The file is too large for a methodology.")})
    try:
        return upload.read().decode("utf-8")
    except UnicodeDecodeError:
        raise forms.ValidationError(
            {field: gettext("The file is not UTF-8 text (YAML or JSON).")}
        ) from None


class _FileFields(forms.Form):
    """An uploaded methodology file, or one pasted: `methodology_source()` gives its text."""

    methodology_file = forms.FileField(
        label=_("Methodology file"), required=False, help_text=FILE_HELP
    )
    source = forms.CharField(
        label=_("Or paste the methodology file"),
        required=False,
        max_length=SOURCE_MAX,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
    )

    def clean(self):
        data = super().clean()
        uploaded = _file_text(data.get("methodology_file"), "methodology_file")
        data["source_text"] = uploaded or data.get("source") or ""
        data["source_field"] = "methodology_file" if uploaded else "source"
        return data


class ProposalForm(_FileFields):
    organisation = forms.ModelChoiceField(
        Organisation.objects.none(),
        label=_("Proposed for"),
        empty_label=None,
        help_text=_("The member of the alliance you propose it for."),
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    rationale = forms.CharField(
        label=_("Why"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What the change corrects or improves, and for whom."),
    )
    period_days = forms.IntegerField(
        label=_("Days open for comment"),
        min_value=PERIOD_MIN_DAYS,
        max_value=PERIOD_MAX_DAYS,
        initial=PERIOD_DEFAULT_DAYS,
    )
    state = forms.CharField(required=False, max_length=STATE_MAX, widget=forms.HiddenInput)

    field_order = ["organisation", "title", "rationale", "period_days", "methodology_file"]

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = (
            organisations if organisations is not None else Organisation.objects.none()
        )
        # interpolated here, in the reader's language
        self.fields["period_days"].help_text = gettext(
            "%(min)s to %(max)s days; the editors decide after it."
        ) % {"min": PERIOD_MIN_DAYS, "max": PERIOD_MAX_DAYS}


class CommentForm(forms.Form):
    organisation = forms.ModelChoiceField(
        Organisation.objects.none(), label=_("Comment for"), empty_label=None
    )
    text = forms.CharField(
        label=_("Your comment"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write your comment first.")},
    )

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = (
            organisations if organisations is not None else Organisation.objects.none()
        )


class ModerateForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it is hidden"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say why the comment is hidden.")},
    )


class DecisionForm(_FileFields):
    outcome = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("adopt", _("Adopt: publish the proposal as a new version")),
            ("adopt_in_part", _("Adopt in part: publish an edited file")),
            ("decline", _("Decline")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason (published)"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Say why: the decision's reason is published.")},
    )
    version = forms.CharField(
        label=_("New version number"),
        max_length=20,
        required=False,
        help_text=_("To adopt: the version the proposal is published as (e.g. 2.1)."),
    )

    field_order = ["outcome", "reason", "version", "methodology_file", "source"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["methodology_file"].help_text = _(
            "To adopt in part: the proposal's file as the editors edited it, with its new version."
        )
        self.fields["source"].label = _("Or paste the edited file")

    def clean(self):
        data = super().clean()
        outcome = data.get("outcome")
        if outcome == "adopt" and not (data.get("version") or "").strip():
            self.add_error("version", gettext("Give the new version number."))
        if outcome == "adopt_in_part" and not data.get("source_text", "").strip():
            self.add_error("methodology_file", gettext("Give the edited methodology file."))
        return data
