"""The editors' desk for translations of content: pick the object and the piece, write the
text; the English original is shown beside it."""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from aimai_site.content import english_pieces, translatable_models
from aimai_site.languages import DEFAULT_LANGUAGE
from aimai_site.models import ContentTranslation


def _translatable_types():
    labels = translatable_models()
    ids = [
        ContentType.objects.get_by_natural_key(*label.split(".")).pk
        for label in labels
        if ContentType.objects.filter(app_label=label.split(".")[0], model=label.split(".")[1])
    ]
    return ContentType.objects.filter(pk__in=ids)


class ContentTranslationForm(forms.ModelForm):
    language = forms.ChoiceField(label=_("Language"))

    class Meta:
        model = ContentTranslation
        fields = ["content_type", "object_id", "field", "language", "text"]
        labels = {
            "content_type": _("Kind of content"),
            "object_id": _("Object (id)"),
            "field": _("Piece"),
            "text": _("Translation"),
        }
        help_texts = {
            "field": _("The piece translated, e.g. description, change_note, principles.1.text."),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["content_type"].queryset = _translatable_types()
        self.fields["language"].choices = [
            (code, name) for code, name in settings.LANGUAGES if code != DEFAULT_LANGUAGE
        ]

    def clean(self):
        cleaned = super().clean()
        content_type, object_id = cleaned.get("content_type"), cleaned.get("object_id")
        if content_type is None or object_id is None:
            return cleaned
        obj = content_type.model_class()._default_manager.filter(pk=object_id).first()
        if obj is None:
            raise ValidationError({"object_id": gettext("No such object of this kind.")})
        pieces = english_pieces(obj)
        if cleaned.get("field") not in pieces:
            raise ValidationError(
                {
                    "field": gettext("This object has no such piece. Its pieces: %(pieces)s.")
                    % {"pieces": ", ".join(sorted(pieces)) or "—"}
                }
            )
        return cleaned


@admin.register(ContentTranslation)
class ContentTranslationAdmin(admin.ModelAdmin):
    form = ContentTranslationForm
    list_display = ["content_type", "object_id", "field", "language", "updated_at"]
    list_filter = ["language", "content_type"]
    search_fields = ["text", "field"]
    readonly_fields = ["english"]

    @admin.display(description=_("English original"))
    def english(self, obj: ContentTranslation) -> str:
        if not obj.pk:
            return "—"
        target = obj.content_type.get_object_for_this_type(pk=obj.object_id)
        return english_pieces(target).get(obj.field, "—")
