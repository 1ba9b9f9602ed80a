"""Shared API pieces: pagination, ETags and the one error body every endpoint returns."""

import hashlib

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.template.response import SimpleTemplateResponse
from django.utils.cache import get_conditional_response, quote_etag
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import exceptions, filters, pagination
from rest_framework.renderers import BrowsableAPIRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from aimai_site.errors import DomainError, InvalidInput


class Pagination(pagination.LimitOffsetPagination):
    """limit/offset pages; a bad `limit` or `offset` is a 400, never silently replaced."""

    default_limit = 100
    max_limit = 500

    def get_limit(self, request) -> int:
        return self._whole_number(
            request, self.limit_query_param, 1, self.max_limit, self.default_limit
        )

    def get_offset(self, request) -> int:
        return self._whole_number(request, self.offset_query_param, 0, None, 0)

    @staticmethod
    def _whole_number(request, name: str, low: int, high: int | None, default: int) -> int:
        raw = request.query_params.get(name)
        if raw is None or raw == "":
            return default
        if high:
            refusal = _("Must be a whole number from %(low)s to %(high)s.")
        else:
            refusal = _("Must be a whole number %(low)s or more.")
        refusal %= {"low": low, "high": high}
        try:
            value = int(raw)
        except ValueError:
            raise exceptions.ValidationError({name: [refusal]}) from None
        if value < low or (high is not None and value > high):
            raise exceptions.ValidationError({name: [refusal]})
        return value


class OrderingFilter(filters.OrderingFilter):
    """`?ordering=` with unknown fields as a 400, and the primary key as the last tie-breaker,
    so that pages of a sorted list never overlap or skip rows."""

    def get_ordering(self, request, queryset, view):
        raw = request.query_params.get(self.ordering_param)
        if raw:
            terms = [t.strip() for t in raw.split(",") if t.strip()]
            allowed = {
                name for name, _ in self.get_valid_fields(queryset, view, {"request": request})
            }
            unknown = [t for t in terms if t.lstrip("-") not in allowed]
            if unknown:
                choices = ", ".join(sorted(allowed))
                refusal = _("Unknown field %(fields)s; use one of: %(choices)s.") % {
                    "fields": ", ".join(unknown),
                    "choices": choices,
                }
                raise exceptions.ValidationError({self.ordering_param: [refusal]})
        # Without an explicit order, keep the queryset's own (e.g. rank with gaps last).
        ordering = super().get_ordering(request, queryset, view) or list(queryset.query.order_by)
        return [*map(_nulls_last, ordering), "pk"]


def not_modified(request: HttpRequest, etag: str) -> HttpResponse | None:
    """The 304 for a GET or HEAD whose If-None-Match names `etag` (a quoted ETag), else None."""
    response = get_conditional_response(request, etag=etag)
    if response is not None:
        response["ETag"] = etag
    return response


class ETagged:
    """A strong ETag on every successful read, and a 304 when If-None-Match names it.

    A view that knows its ETag before doing the work sets it on its response (and answers
    304 itself with not_modified()); any other read gets the digest of its body, which saves
    the bytes, not the work. The browsable API (an HTML page with a form token) gets none.
    """

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method not in ("GET", "HEAD") or response.status_code != 200:
            return response
        if isinstance(getattr(request, "accepted_renderer", None), BrowsableAPIRenderer):
            return response
        if getattr(response, "streaming", False):
            return response
        if not response.has_header("ETag"):
            if isinstance(response, SimpleTemplateResponse):
                response.render()
            response["ETag"] = quote_etag(hashlib.sha256(response.content).hexdigest()[:40])
        return get_conditional_response(request, etag=response["ETag"], response=response)


def _nulls_last(term):
    """Missing values (no rank, no score) last in either direction, on every database."""
    if not isinstance(term, str):
        return term
    field = F(term.lstrip("-"))
    return field.desc(nulls_last=True) if term.startswith("-") else field.asc(nulls_last=True)


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """Render every API error as {"code", "message", "fields"}.

    `fields` maps a parameter or field name to its messages (empty when the error is not
    about one input), so clients have a single shape to read.
    """
    if isinstance(exc, InvalidInput):
        exc = exceptions.ValidationError({exc.field: [exc.message]})
    elif isinstance(exc, DomainError):
        body = {"code": exc.code, "message": exc.message, "fields": {}}
        return Response(body, status=exc.http_status)
    elif isinstance(exc, DjangoValidationError):  # a model's own check, e.g. from full_clean()
        detail = (
            exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
        )
        exc = exceptions.ValidationError(
            {"non_field_errors" if k == NON_FIELD_ERRORS else k: v for k, v in detail.items()}
        )
    elif isinstance(exc, exceptions.ValidationError) and isinstance(exc.detail, dict):
        exc = exceptions.ValidationError({k: _messages(v) for k, v in exc.detail.items()})
    # a refusal or an absence keeps the words the service said it in
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or None)
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        fields = {name: [str(m) for m in _as_list(msgs)] for name, msgs in detail.items()}
        message = "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in fields.items())
        response.data = {"code": "invalid", "message": message, "fields": fields}
    else:
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        response.data = {
            "code": codes if isinstance(codes, str) else "error",
            "message": str(getattr(exc, "detail", exc)),
            "fields": {},
        }
    return response


def _messages(detail) -> list[str]:
    """A list item's or a nested object's errors as plain messages: "field: message" for a
    nested field, the message alone for a list item."""
    if isinstance(detail, dict):
        return [
            message if isinstance(key, int) or str(key).isdigit() else f"{key}: {message}"
            for key, value in detail.items()
            for message in _messages(value)
        ]
    if isinstance(detail, list):
        return [message for item in detail for message in _messages(item)]
    return [str(detail)]


def _as_list(value: object) -> list:
    return value if isinstance(value, list) else [value]


def is_api_request(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def error_json(code: str, message: str, status: int, fields: dict | None = None) -> JsonResponse:
    """The API's error body for responses made outside DRF."""
    return JsonResponse({"code": code, "message": message, "fields": fields or {}}, status=status)


def api_bad_request(request: HttpRequest, exception: Exception | None = None):
    """400 raised outside a view (a malformed request, a suspicious header)."""
    if is_api_request(request):
        return error_json("bad_request", _("Bad request."), 400)
    return defaults.bad_request(request, exception)


def api_permission_denied(request: HttpRequest, exception: Exception | None = None):
    if is_api_request(request):
        return error_json("permission_denied", str(exception or "") or _("Not allowed."), 403)
    return defaults.permission_denied(request, exception)


def api_page_not_found(request: HttpRequest, exception: Exception | None = None):
    """404 for URLs no route matches: JSON under /api/, the site's page elsewhere."""
    if is_api_request(request):
        return error_json("not_found", _("Not found."), 404)
    return defaults.page_not_found(request, exception)


def api_server_error(request: HttpRequest):
    if is_api_request(request):
        return error_json("server_error", _("Server error; it has been logged."), 500)
    return defaults.server_error(request)
