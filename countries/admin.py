"""The editors' tool. Published releases and their observations are read-only here, and
publication goes through the same service as everywhere else."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from aimai_site.admin import ReadOnlyAdmin
from aimai_site.errors import DomainError
from countries.index.methodology import MethodologyError, methodology_load
from countries.models import (
    Country,
    DataRelease,
    Indicator,
    Methodology,
    MethodologyVersion,
    Observation,
    ScoreSet,
)
from countries.scoring import (
    VERSION_SLUG_CHANGED,
    VERSION_TAKEN,
    methodology_headline_set,
    methodology_version_publish,
    methodology_version_save,
)
from countries.services import data_release_draft_from, data_release_publish


def publish_each(model_admin, request, queryset, *, permission, publish, refused) -> None:
    """Run a publishing service on each selected object and report each outcome."""
    if not request.user.has_perm(permission):
        model_admin.message_user(request, refused, messages.ERROR)
        return
    for obj in queryset:
        try:
            publish(obj)
        except DomainError as exc:
            model_admin.message_user(request, exc.message, messages.ERROR)
        else:
            model_admin.message_user(request, f"Published {obj}.", messages.SUCCESS)


@admin.register(Country)
class CountryAdmin(SimpleHistoryAdmin):
    list_display = ["name", "iso3", "iso2", "numeric", "region", "subregion", "income_group"]
    list_filter = ["region", "subregion", "income_group", "iso_assigned"]
    search_fields = ["name", "official_name", "iso3", "iso2", "numeric"]
    readonly_fields = ["iso2", "iso3", "numeric", "iso_assigned"]
    ordering = ["name"]


@admin.register(Indicator)
class IndicatorAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "dimension", "direction", "unit", "source_organisation"]
    list_filter = ["dimension", "direction", "source_organisation"]
    search_fields = ["code", "name", "description", "source_organisation"]

    def get_readonly_fields(self, request, obj=None):
        # What a published value means is fixed with it (the database enforces this too).
        if obj is not None and obj.observations.filter(release__status="published").exists():
            return ["code", "dimension", "direction", "unit"]
        return []


class FrozenWhenPublished:
    """Read-only admin for anything published or belonging to something published."""

    def _release_of(self, obj):
        raise NotImplementedError

    def has_change_permission(self, request, obj=None):
        if obj is not None and self._release_of(obj).is_published:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and self._release_of(obj).is_published:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(DataRelease)
class DataReleaseAdmin(FrozenWhenPublished, SimpleHistoryAdmin):
    list_display = ["name", "slug", "release_date", "status", "published_at", "n_observations"]
    list_filter = ["status"]
    search_fields = ["name", "slug", "description"]
    readonly_fields = ["status", "published_at", "content_digest", "created_at"]
    actions = ["publish", "start_correction"]

    def _release_of(self, obj):
        return obj

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_observations=Count("observations"))

    @admin.display(description="Observations", ordering="n_observations")
    def n_observations(self, obj):
        return obj.n_observations

    @admin.action(description="Start a correction: copy into a new draft")
    def start_correction(self, request, queryset):
        if not request.user.has_perm("countries.add_datarelease"):
            self.message_user(request, "You may not create releases.", messages.ERROR)
            return
        today = timezone.now().date()
        for source in queryset:
            slug = f"{source.slug}-correction-{today:%Y%m%d}"
            try:
                draft = data_release_draft_from(
                    source=source, slug=slug, name=f"{source.name} (correction)", release_date=today
                )
            except DomainError as exc:
                self.message_user(request, exc.message, messages.ERROR)
            else:
                self.message_user(request, f"Draft {draft.slug} holds a copy of {source.slug}.")

    @admin.action(description="Publish the selected releases (freezes them)")
    def publish(self, request, queryset):
        publish_each(
            self,
            request,
            queryset,
            permission="countries.publish_datarelease",
            publish=lambda release: data_release_publish(release=release),
            refused="You may not publish releases.",
        )


@admin.register(Observation)
class ObservationAdmin(FrozenWhenPublished, SimpleHistoryAdmin):
    list_display = ["country", "indicator", "year", "value", "release"]
    list_filter = ["release", "indicator__dimension", "indicator", "year"]
    search_fields = ["country__name", "country__iso3", "indicator__code", "note", "source_url"]
    list_select_related = ["country", "indicator", "release"]
    ordering = ["indicator__code", "country__name", "-year"]
    autocomplete_fields = ["country"]
    raw_id_fields = ["release"]

    def _release_of(self, obj):
        return obj.release

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if "release" in form.base_fields:
            # New observations only go into drafts.
            form.base_fields["release"].queryset = DataRelease.objects.filter(status="draft")
        return form


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

    @admin.action(description="Make the selected methodology the headline")
    def make_headline(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Choose exactly one methodology.", messages.ERROR)
            return
        try:
            methodology = methodology_headline_set(methodology=queryset.get())
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
        else:
            self.message_user(request, f"{methodology.title} is now the headline.")


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
            raise forms.ValidationError(exc.errors) from None
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
class MethodologyVersionAdmin(FrozenWhenPublished, SimpleHistoryAdmin):
    form = MethodologyVersionForm
    list_display = ["methodology", "version", "status", "published_at", "short_digest"]
    list_filter = ["status", "methodology"]
    search_fields = ["methodology__slug", "version", "changes"]
    readonly_fields = ["methodology", "version", "status", "published_at", "digest", "created_at"]
    actions = ["publish"]

    @admin.display(description="Digest")
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

    @admin.action(description="Publish the selected versions (freezes them; rescoring follows)")
    def publish(self, request, queryset):
        publish_each(
            self,
            request,
            queryset,
            permission="countries.publish_methodologyversion",
            publish=lambda version: methodology_version_publish(version=version),
            refused="You may not publish methodologies.",
        )


@admin.register(ScoreSet)
class ScoreSetAdmin(ReadOnlyAdmin):
    """Score sets are computed, never edited: the admin only lists them."""

    list_display = ["digest", "methodology_version", "release", "reference_year", "created_at"]
    list_filter = ["methodology_version__methodology", "release"]
    search_fields = ["digest", "inputs_digest", "outputs_digest"]
    list_select_related = ["methodology_version__methodology", "release"]
    exclude = ["inputs", "outputs_json"]
