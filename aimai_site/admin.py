"""Admin pieces shared by the apps."""

from django.contrib import admin

from aimai_site.models import ApiToken


class ReadOnlyAdmin(admin.ModelAdmin):
    """For what the platform computes or logs and nobody edits: it can only be read."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Staff see members' tokens (never the token itself) and can revoke one."""

    list_display = ("name", "user", "scope", "prefix", "created_at", "expires_at", "last_used_at")
    list_filter = ("scope",)
    search_fields = ("name", "prefix", "user__email")
    readonly_fields = list_display

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
