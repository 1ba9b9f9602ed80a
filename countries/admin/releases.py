"""The desk: data releases, their files, observations and saved column mappings; four eyes
from import to publication."""

import csv
import io
import re

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from aimai_site.errors import DomainError, InvalidInput
from countries.admin.common import FrozenUnlessDraft, ReasonedChangeForm, ReasonedHistoryAdmin
from countries.choices import ImportStatus, ReleaseAction, ReleaseStatus
from countries.forms import ImportForm, ReasonForm
from countries.imports import (
    data_import_apply,
    data_import_cancel,
    data_import_preview,
    file_assess,
    import_mapping_save,
)
from countries.intake import FileRefused
from countries.intake.files import size_check
from countries.models import (
    DataImport,
    DataRelease,
    ImportMapping,
    Observation,
    ReleaseEvent,
)
from countries.review import release_publish_preview
from countries.services import (
    PUBLISH_PERMISSION,
    data_release_create,
    data_release_draft_from,
    data_release_publish,
    data_release_publish_check,
    data_release_return,
    data_release_submit,
    release_editor_add,
    release_require_draft,
)


class ReleaseEventInline(admin.TabularInline):
    model = ReleaseEvent
    extra = 0
    fields = ["at", "action", "actor", "reason"]
    readonly_fields = fields
    can_delete = False
    verbose_name = _("step")
    verbose_name_plural = _("History: who did what, when and why")

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("countries.view_datarelease")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class DataImportInline(admin.TabularInline):
    model = DataImport
    extra = 0
    fields = ["preview_link", "status", "uploaded_by", "added", "changed", "errors", "flagged"]
    readonly_fields = fields
    can_delete = False
    verbose_name_plural = _("Imported files")

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("countries.view_datarelease")

    @admin.display(description=_("File"))
    def preview_link(self, obj):
        url = reverse("admin:countries_dataimport_change", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.filename)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class DataReleaseForm(ReasonedChangeForm):
    class Meta:
        model = DataRelease
        fields = ["name", "slug", "description", "release_date", "corrects", "change_note"]


@admin.register(DataRelease)
class DataReleaseAdmin(FrozenUnlessDraft, ReasonedHistoryAdmin):
    """The desk: releases by status, each with its files, its history and the next step."""

    form = DataReleaseForm
    list_display = [
        "name",
        "slug",
        "status",
        "release_date",
        "n_observations",
        "n_flagged",
        "n_imports",
        "published_at",
    ]
    list_filter = ["status"]
    show_facets = admin.ShowFacets.ALWAYS
    search_fields = ["name", "slug", "description"]
    readonly_fields = ["status", "published_at", "published_by", "content_digest", "created_at"]
    autocomplete_fields = ["corrects"]
    inlines = [DataImportInline, ReleaseEventInline]
    actions = ["start_correction"]
    change_form_template = "admin/countries/datarelease/change_form.html"

    def _release_of(self, obj):
        return obj

    def change_view(self, request, object_id, form_url="", extra_context=None):
        release = DataRelease.objects.filter(pk=object_id).first()
        returned = None
        if release is not None and release.is_draft:
            returned = release.events.filter(action=ReleaseAction.RETURNED).last()
        context = {
            "can_review": request.user.has_perm(PUBLISH_PERMISSION),
            "can_edit": request.user.has_perm("countries.change_datarelease"),
            "returned": returned,
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, context)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_observations=Count("observations", distinct=True),
                n_flagged=Count("observations", filter=~Q(observations__flag=""), distinct=True),
                n_imports=Count("imports", distinct=True),
            )
        )

    @admin.display(description=_("Observations"), ordering="n_observations")
    def n_observations(self, obj):
        return obj.n_observations

    @admin.display(description=_("Flagged"), ordering="n_flagged")
    def n_flagged(self, obj):
        return obj.n_flagged

    @admin.display(description=_("Files"), ordering="n_imports")
    def n_imports(self, obj):
        return obj.n_imports

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            release_editor_add(obj, request.user)
            return
        try:
            created = data_release_create(
                slug=obj.slug,
                name=obj.name,
                release_date=obj.release_date,
                description=obj.description,
                corrects=obj.corrects,
                change_note=obj.change_note,
                user=request.user,
            )
        except DomainError as exc:
            raise PermissionDenied(exc.message) from exc
        obj.pk = created.pk

    def get_search_results(self, request, queryset, search_term):
        queryset, duplicates = super().get_search_results(request, queryset, search_term)
        if request.GET.get("model_name") == "observation":  # the observation form's picker
            queryset = queryset.filter(status=ReleaseStatus.DRAFT)
        return queryset, duplicates

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/import/", wrap(self.import_view), name="countries_datarelease_import"),
            path("<int:pk>/submit/", wrap(self.submit_view), name="countries_datarelease_submit"),
            path("<int:pk>/return/", wrap(self.return_view), name="countries_datarelease_return"),
            path(
                "<int:pk>/publish/", wrap(self.publish_view), name="countries_datarelease_publish"
            ),
            *super().get_urls(),
        ]

    def _context(self, request, release, title, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "release": release,
            **extra,
        }

    def _back(self, release):
        return redirect("admin:countries_datarelease_change", release.pk)

    def import_view(self, request, pk):
        release = get_object_or_404(DataRelease, pk=pk)
        if not request.user.has_perm("countries.add_dataimport"):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                if upload.size > settings.IMPORT_MAX_BYTES:
                    size_check(upload.size, settings.IMPORT_MAX_BYTES)
                mapping = form.mapping()
                data_import = data_import_preview(
                    release=release,
                    content=upload.read(),
                    filename=upload.name,
                    mapping=mapping,
                    user=request.user,
                )
            except FileRefused as exc:
                form.add_error("file", exc.message)
            except InvalidInput as exc:
                form.add_error("file" if exc.field == "file" else None, exc.message)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                name = form.cleaned_data.get("save_mapping_as")
                if name:
                    import_mapping_save(name=name, mapping=mapping)
                return redirect("admin:countries_dataimport_change", data_import.pk)
        title = gettext("Import a file into {release}").format(release=release)
        context = self._context(request, release, title, form=form)
        return TemplateResponse(request, "admin/countries/datarelease/import.html", context)

    def _step(self, request, release, act, done: str):
        try:
            act()
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
        else:
            self.message_user(request, done, messages.SUCCESS)
        return self._back(release)

    def submit_view(self, request, pk):
        release = get_object_or_404(DataRelease, pk=pk)
        if request.method != "POST" or not request.user.has_perm("countries.change_datarelease"):
            raise PermissionDenied
        return self._step(
            request,
            release,
            lambda: data_release_submit(release=release, user=request.user),
            gettext("{release} is submitted for review.").format(release=release),
        )

    def return_view(self, request, pk):
        release = get_object_or_404(DataRelease, pk=pk)
        form = ReasonForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            return self._step(
                request,
                release,
                lambda: data_release_return(
                    release=release, user=request.user, reason=form.cleaned_data["reason"]
                ),
                gettext("{release} is back in draft; its editors see your reason.").format(
                    release=release
                ),
            )
        title = gettext("Return {release} to draft").format(release=release)
        context = self._context(request, release, title, form=form)
        return TemplateResponse(request, "admin/countries/datarelease/return.html", context)

    def publish_view(self, request, pk):
        """GET: what publishing would change, and a confirmation; POST: publish."""
        release = get_object_or_404(DataRelease, pk=pk)
        if request.method == "POST" and request.POST.get("confirm") == "publish":
            return self._step(
                request,
                release,
                lambda: data_release_publish(release=release, user=request.user),
                gettext("{release} is published; the index is being recomputed.").format(
                    release=release
                ),
            )
        refusal = ""
        try:
            data_release_publish_check(release=release, user=request.user)
        except DomainError as exc:
            refusal = exc.message
        preview = release_publish_preview(release=release)
        title = gettext("Publish {release}?").format(release=release)
        context = self._context(request, release, title, preview=preview, refusal=refusal)
        return TemplateResponse(request, "admin/countries/datarelease/publish.html", context)

    @admin.action(description=_("Start a correction: copy into a new draft"))
    def start_correction(self, request, queryset):
        if not request.user.has_perm("countries.add_datarelease"):
            self.message_user(request, gettext("You may not create releases."), messages.ERROR)
            return
        today = timezone.now().date()
        for source in queryset:
            base = re.sub(r"(-correction-\d{8}(-\d+)?)+$", "", source.slug)
            slug = f"{base}-correction-{today:%Y%m%d}"
            if DataRelease.objects.filter(slug=slug).exists():
                taken = DataRelease.objects.filter(slug__startswith=slug).count()
                slug = f"{slug}-{taken + 1}"
            try:
                draft = data_release_draft_from(
                    source=source,
                    slug=slug,
                    name=gettext("{name} (correction)").format(name=source.name),
                    release_date=today,
                    user=request.user,
                )
            except DomainError as exc:
                self.message_user(request, exc.message, messages.ERROR)
            else:
                said = gettext(
                    "Draft {draft} holds a copy of {source}: fix it, say what changed and why, "
                    "and submit it for review."
                ).format(draft=draft.slug, source=source.slug)
                self.message_user(request, said)


class FlaggedFilter(admin.SimpleListFilter):
    title = _("review flag")
    parameter_name = "flagged"

    def lookups(self, request, model_admin):
        return [("yes", _("Flagged for review")), ("no", _("Not flagged"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(flag="")
        if self.value() == "no":
            return queryset.filter(flag="")
        return queryset


class ObservationForm(forms.ModelForm):
    source_url = forms.URLField(
        label=_("Source url"),
        assume_scheme="https",
        max_length=500,
        help_text=Observation._meta.get_field("source_url").help_text,
    )

    class Meta:
        model = Observation
        fields = ["release", "country", "indicator", "year", "value", "source_url", "note"]

    def clean_release(self):
        release = self.cleaned_data["release"]
        try:
            release_require_draft(release)
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from None
        return release

    def clean(self):
        """A value typed by hand meets the same rules as a file's rows."""
        data = super().clean()
        needed = ["release", "country", "indicator", "year", "value", "source_url"]
        if self.errors or any(data.get(k) in (None, "") for k in needed):
            return data
        note = data.get("note", "").replace("(", "[").replace(")", "]")
        citation = f"{data['source_url']} ({note})" if note else data["source_url"]
        buffer = io.StringIO()
        csv.writer(buffer).writerows(
            [
                ["iso3", "indicator", "year", "value", "source"],
                [
                    data["country"].iso3,
                    data["indicator"].code,
                    data["year"],
                    data["value"],
                    citation,
                ],
            ]
        )
        assessment = file_assess(content=buffer.getvalue().encode(), release=data["release"])
        for problem in assessment.report.errors:
            self.add_error(None, problem.message[:1].upper() + problem.message[1:] + ".")
        # typing over a value is the editor's own correction: only the other reasons stay
        self.instance.flag = next(iter(assessment.unrevised.values()), "")[:300]
        return data


@admin.register(Observation)
class ObservationAdmin(FrozenUnlessDraft, SimpleHistoryAdmin):
    form = ObservationForm
    list_display = ["country", "indicator", "year", "value", "release", "flag"]
    list_filter = [
        ("release", admin.RelatedOnlyFieldListFilter),
        "indicator__dimension",
        ("indicator", admin.RelatedOnlyFieldListFilter),
        ("country", admin.RelatedOnlyFieldListFilter),
        FlaggedFilter,
        "year",
    ]
    search_fields = ["country__name", "country__iso3", "indicator__code", "note", "source_url"]
    list_select_related = ["country", "indicator", "release"]
    ordering = ["indicator__code", "country__name", "-year"]
    autocomplete_fields = ["release", "country", "indicator"]
    readonly_fields = ["provenance", "flag"]

    def _release_of(self, obj):
        return obj.release

    def save_model(self, request, obj, form, change):
        if not obj.provenance:
            obj.provenance = f"typed in the admin by {request.user.get_username()}"
        super().save_model(request, obj, form, change)
        release_editor_add(obj.release, request.user)

    def delete_model(self, request, obj):
        release_editor_add(obj.release, request.user)
        super().delete_model(request, obj)


@admin.register(DataImport)
class DataImportAdmin(admin.ModelAdmin):
    """A file's preview: what it adds, changes and keeps, its errors and flags; then apply
    it (all or nothing) or cancel it."""

    list_display = ["filename", "release", "status", "uploaded_by", "added", "changed", "errors"]
    list_filter = ["status", ("release", admin.RelatedOnlyFieldListFilter)]
    show_facets = admin.ShowFacets.ALWAYS
    search_fields = ["filename", "release__name", "release__slug"]
    list_select_related = ["release", "uploaded_by"]
    change_form_template = "admin/countries/dataimport/preview.html"

    def has_add_permission(self, request):
        return False  # files come in through a release's “Import a file”

    def has_delete_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        data_import = get_object_or_404(DataImport.objects.select_related("release"), pk=object_id)
        if not self.has_view_permission(request, data_import):
            raise PermissionDenied
        if request.method == "POST":
            return self._decide(request, data_import)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": (
                gettext("Preview of {file}").format(file=data_import.filename)
                if data_import.status == ImportStatus.PREVIEWED
                else gettext("{file} ({status})").format(
                    file=data_import.filename, status=data_import.get_status_display().lower()
                )
            ),
            "data_import": data_import,
            "report": data_import.report,
            "can_apply": self.has_change_permission(request, data_import)
            and data_import.status == ImportStatus.PREVIEWED
            and data_import.release.is_draft,
        }
        return TemplateResponse(request, self.change_form_template, context)

    def _decide(self, request, data_import):
        if not self.has_change_permission(request, data_import):
            raise PermissionDenied
        try:
            if request.POST.get("decision") == "apply":
                data_import_apply(data_import=data_import, user=request.user)
                said = gettext("Applied {file}: {added} added, {changed} changed.").format(
                    file=data_import.filename,
                    added=data_import.added,
                    changed=data_import.changed,
                )
                self.message_user(request, said, messages.SUCCESS)
            else:
                data_import_cancel(data_import=data_import, user=request.user)
                said = gettext("Cancelled {file}; nothing written.")
                self.message_user(request, said.format(file=data_import.filename))
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return redirect("admin:countries_dataimport_change", data_import.pk)
        return redirect("admin:countries_datarelease_change", data_import.release_id)


@admin.register(ImportMapping)
class ImportMappingAdmin(SimpleHistoryAdmin):
    list_display = ["name", "layout", "country_column", "indicator_column", "indicator"]
    search_fields = ["name", "indicator", "source"]
