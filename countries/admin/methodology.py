"""Methodologies and their versions, and the score sets they give (read-only)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from aimai_site.admin import ReadOnlyAdmin
from aimai_site.errors import DomainError
from countries.admin.common import FrozenUnlessDraft, publish_each
from countries.engine_messages import localized_all
from countries.index.methodology import MethodologyError
from countries.index.reading import methodology_load
from countries.models import (
    Methodology,
    MethodologyVersion,
    ScoreSet,
)
from countries.scoring import (
    VERSION_SLUG_CHANGED,
    VERSION_TAKEN,
    methodology_headline_set,
    methodology_version_publish,
    methodology_version_save,
)


@admin.register(Methodology)
class MethodologyAdmin(SimpleHistoryAdmin):
    list_display = ["slug", "title", "is_headline", "created_at"]
    search_fields = ["slug", "title", "description"]
    readonly_fields = ["slug", "is_headline", "created_at"]
    actions = ["make_headline"]

    def has_add_permission(self, request):
        return False  # a methodology starts with its first version's file

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Make the selected methodology the headline"))
    def make_headline(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, gettext("Choose exactly one methodology."), messages.ERROR)
            return
        try:
            methodology = methodology_headline_set(methodology=queryset.get())
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
        else:
            said = gettext("{title} is now the headline.").format(title=methodology.title)
            self.message_user(request, said)


class MethodologyVersionForm(forms.ModelForm):
    """The file as written; it is checked against the schema and the engine's rules here, so
    that an editor sees every located problem as a form error."""

    class Meta:
        model = MethodologyVersion
        fields = ["source", "changes"]
        widgets = {
            "source": forms.Textarea(attrs={"rows": 40, "cols": 100, "class": "vLargeTextField"})
        }

    def clean_source(self):
        source = self.cleaned_data["source"]
        try:
            parsed = methodology_load(source)
        except MethodologyError as exc:
            raise forms.ValidationError(localized_all(exc.errors)) from None
        current = self.instance
        if current.pk and current.methodology.slug != parsed.slug:
            raise forms.ValidationError(VERSION_SLUG_CHANGED.format(slug=parsed.slug))
        taken = MethodologyVersion.objects.filter(
            methodology__slug=parsed.slug, version=parsed.version
        ).exclude(pk=current.pk)
        if taken.exists():
            name = f"{parsed.slug} {parsed.version}"
            raise forms.ValidationError(VERSION_TAKEN.format(name=name))
        return source


@admin.register(MethodologyVersion)
class MethodologyVersionAdmin(FrozenUnlessDraft, SimpleHistoryAdmin):
    form = MethodologyVersionForm
    list_display = ["methodology", "version", "status", "published_at", "short_digest"]
    list_filter = ["status", "methodology"]
    search_fields = ["methodology__slug", "version", "changes"]
    readonly_fields = ["methodology", "version", "status", "published_at", "digest", "created_at"]
    actions = ["publish"]

    @admin.display(description=_("Digest"))
    def short_digest(self, obj):
        return obj.digest[:12]

    def _release_of(self, obj):
        return obj  # a version is frozen by its own publication

    def save_model(self, request, obj, form, change):
        try:
            methodology_version_save(
                source=form.cleaned_data["source"],
                changes=form.cleaned_data["changes"],
                version=obj,
            )
        except DomainError as exc:
            # only when another editor saved the same version since the form was checked
            raise PermissionDenied(exc.message) from exc

    @admin.action(description=_("Publish the selected versions (freezes them; rescoring follows)"))
    def publish(self, request, queryset):
        publish_each(
            self,
            request,
            queryset,
            permission="countries.publish_methodologyversion",
            publish=lambda version: methodology_version_publish(version=version),
            refused=gettext("You may not publish methodologies."),
        )


@admin.register(ScoreSet)
class ScoreSetAdmin(ReadOnlyAdmin):
    """Score sets are computed, never edited: the admin only lists them."""

    list_display = [
        "digest",
        "methodology_version",
        "release",
        "backcast",
        "reference_year",
        "created_at",
    ]
    list_filter = ["methodology_version__methodology", "release", "backcast"]
    search_fields = ["digest", "inputs_digest", "outputs_digest"]
    list_select_related = ["methodology_version__methodology", "release"]
    exclude = ["inputs", "outputs_json"]
