"""Editors see the log and register witnesses; nobody edits the log here (or anywhere)."""

from django.contrib import admin

from registry.models import Entry, TreeHead, Witness


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Entry)
class EntryAdmin(ReadOnly):
    list_display = ["leaf_index", "event", "identifier", "organisation", "country", "timestamp"]
    list_filter = ["event", "country"]
    search_fields = ["identifier", "digest", "organisation", "leaf_hash"]


@admin.register(TreeHead)
class TreeHeadAdmin(ReadOnly):
    list_display = ["tree_size", "timestamp", "root_hash"]


@admin.register(Witness)
class WitnessAdmin(admin.ModelAdmin):
    """A witness is registered with its public key; it can then co-sign tree heads."""

    list_display = ["name", "active", "created_at"]
    list_filter = ["active"]
    search_fields = ["name"]

    def has_delete_permission(self, request, obj=None):
        return False  # its co-signatures stay attributable: deactivate it instead
