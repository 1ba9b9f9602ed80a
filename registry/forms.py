from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from registry.models import Concern, Entry


class ConcernForm(forms.ModelForm):
    evidence_links = forms.CharField(
        label=gettext_lazy("Evidence (one web address per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    class Meta:
        model = Concern
        fields = ["target", "country", "indicator", "reference", "category", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 6})}
        # the model's own names for these are its field names, which no catalogue holds
        labels = {
            "target": gettext_lazy("Target"),
            "reference": gettext_lazy("Reference"),
            "category": gettext_lazy("Category"),
            "description": gettext_lazy("Description"),
        }
        help_texts = {
            "description": gettext_lazy(
                "What is wrong, and what should change. It is published only once "
                "an editor accepts the concern; your name and e-mail never are."
            ),
        }

    def clean(self):
        data = super().clean()
        target = data.get("target")
        if target == Concern.Target.INDICATOR_VALUE and not (
            data.get("country") and data.get("indicator")
        ):
            raise forms.ValidationError(
                _("A concern about a value names its country and indicator.")
            )
        if target == Concern.Target.SCORE and not data.get("country"):
            raise forms.ValidationError(_("A concern about a score names its country."))
        if target == Concern.Target.COMPACT:
            reference = data.get("reference")
            if not reference:
                raise forms.ValidationError(_("A concern about a compact names the compact."))
            # a compact is public once it is in the log (activated); its reference is C-n@vN
            if not Entry.objects.filter(
                identifier=reference, event__startswith="compact."
            ).exists():
                self.add_error(
                    "reference",
                    _("No public compact %(reference)s is in the registry.")
                    % {"reference": reference},
                )
        if target == Concern.Target.MEMBERSHIP and not data.get("reference"):
            self.add_error("reference", _("A concern about a membership decision names it."))
        return data
