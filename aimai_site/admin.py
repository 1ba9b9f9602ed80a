"""Admin pieces shared by the apps."""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest

from aimai_site.filters import DATABASE_INT_MAX, DATABASE_INT_MIN
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


class AdminParametersMiddleware:
    """The admin takes an object id from the path and an add form's initial values from the
    query string, and some of its views (and simple-history's) pass them to the database
    unchecked. For every registered model, whatever its admin class: an id that is not one
    of the model's keys is a 404, and an initial value that cannot name a related object is a
    400, instead of an error raised deep inside a lookup or a widget."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        model_admin = getattr(view_func, "model_admin", None)
        if model_admin is None:
            return None
        model = model_admin.model
        object_id = view_kwargs.get("object_id")
        if object_id is not None and not _is_key(model._meta.pk, unquote(object_id)):
            raise Http404(f"No {model._meta.verbose_name} with id “{object_id}”.")
        for name, values in request.GET.lists():
            field = _relation(model, name)
            if field is None:
                continue
            # the admin splits a many-to-many field's initial value on commas
            parts = [v for raw in values for v in (raw.split(",") if field.many_to_many else [raw])]
            for value in parts:
                if value and not _is_key(field.target_field, value):
                    return HttpResponseBadRequest(
                        f"“{value}” does not name a {field.related_model._meta.verbose_name}.",
                        content_type="text/plain; charset=utf-8",
                    )
        return None


def _relation(model, name: str):
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if field.is_relation and field.concrete else None


def _is_key(field, value: str) -> bool:
    """Whether `value` could be a stored value of `field` (a key or a related key)."""
    try:
        python = field.to_python(value)
    except (ValidationError, ValueError, TypeError):
        return False
    if isinstance(python, int):
        return DATABASE_INT_MIN <= python <= DATABASE_INT_MAX
    return "\x00" not in str(python)


# translations of editor-written content (aimai_site/content.py)
from aimai_site import content_admin  # noqa: E402, F401
