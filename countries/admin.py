"""The editors' tool. Published releases and their observations are read-only here, and
publication goes through the same service as everywhere else."""

from django.contrib import admin, messages
from django.db.models import Count
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from aimai_site.errors import DomainError
from countries.models import Country, DataRelease, Indicator, Observation
from countries.services import data_release_draft_from, data_release_publish


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
    """Read-only admin for anything that belongs to a published release."""

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
        if not request.user.has_perm("countries.publish_datarelease"):
            self.message_user(request, "You may not publish releases.", messages.ERROR)
            return
        for release in queryset:
            try:
                data_release_publish(release=release)
            except DomainError as exc:
                self.message_user(request, exc.message, messages.ERROR)
            else:
                self.message_user(request, f"Published {release.slug}.", messages.SUCCESS)


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
