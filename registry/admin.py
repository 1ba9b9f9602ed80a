"""Editors see the log and register witnesses; nobody edits the log here (or anywhere)."""

from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aimai_site.admin import ReadOnlyAdmin
from aimai_site.errors import DomainError
from registry.keys import ed25519_public_key
from registry.models import Concern, Entry, TreeHead, Witness
from registry.redress import concern_moderate, concern_resolve


@admin.register(Entry)
class EntryAdmin(ReadOnlyAdmin):
    list_display = [
        "leaf_index",
        "event",
        "identifier",
        "organisation",
        "country",
        "timestamp",
        "withheld_at",
    ]
    list_filter = ["event", "country", ("withheld_at", admin.EmptyFieldListFilter)]
    search_fields = ["identifier", "digest", "organisation", "leaf_hash"]


@admin.register(TreeHead)
class TreeHeadAdmin(ReadOnlyAdmin):
    list_display = ["tree_size", "timestamp", "root_hash"]


@admin.register(Witness)
class WitnessAdmin(admin.ModelAdmin):
    """A witness is registered with its public key; it can then co-sign tree heads."""

    list_display = ["name", "active", "created_at"]
    list_filter = ["active"]
    search_fields = ["name"]

    def has_delete_permission(self, request, obj=None):
        return False  # its co-signatures stay attributable: deactivate it instead

    def get_readonly_fields(self, request, obj=None):
        # a key is what its co-signatures were made with: a new key is a new witness
        return ["name", "public_key"] if obj is not None else []

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if "public_key" in form.base_fields:
            form.base_fields["public_key"].validators.append(ed25519_public_key)
        return form


@admin.register(Concern)
class ConcernAdmin(admin.ModelAdmin):
    """Editors moderate: write the response on the concern, then accept, decline or resolve."""

    list_display = ["pk", "target", "country", "indicator", "category", "status", "created_at"]
    list_filter = ["status", "target", "category"]
    search_fields = ["description", "country", "indicator", "reference"]
    fields = [
        "status",
        "target",
        "country",
        "indicator",
        "reference",
        "category",
        "description",
        "evidence",
        "content_digest",
        "response",
    ]
    actions = ["accept", "decline", "resolve"]

    def get_readonly_fields(self, request, obj=None):
        # a resolution is logged with its text: after that nothing changes
        if obj is not None and obj.status == Concern.Status.RESOLVED:
            return self.fields
        return [f for f in self.fields if f != "response"]

    def has_add_permission(self, request):
        return False  # members file concerns on the site

    def has_delete_permission(self, request, obj=None):
        return False  # the log refers to it

    def _each(self, request, queryset, act) -> None:
        for concern in queryset:
            try:
                act(concern)
            except DomainError as exc:
                self.message_user(request, exc.message, messages.ERROR)
            else:
                self.message_user(
                    request, _("Concern %(pk)s: done.") % {"pk": concern.pk}, messages.SUCCESS
                )

    @admin.action(description=gettext_lazy("Accept (publish the text, with the response)"))
    def accept(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda c: concern_moderate(concern=c, accept=True, response=c.response),
        )

    @admin.action(description=gettext_lazy("Decline (with the response as the reason)"))
    def decline(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda c: concern_moderate(concern=c, accept=False, response=c.response),
        )

    @admin.action(description=gettext_lazy("Resolve (the response is the resolution; logged)"))
    def resolve(self, request, queryset):
        self._each(request, queryset, lambda c: concern_resolve(concern=c, resolution=c.response))
