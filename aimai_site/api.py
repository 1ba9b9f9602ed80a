"""Shared API pieces: pagination and the one error body every endpoint returns."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, pagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class Pagination(pagination.LimitOffsetPagination):
    """limit/offset pages over a deterministic ordering; `limit` is capped."""

    default_limit = 100
    max_limit = 500


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """Render every API error as {"code", "message", "fields"}.

    `fields` maps a parameter or field name to its messages (empty when the error is not
    about one input), so clients have a single shape to read.
    """
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
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


def _as_list(value: object) -> list:
    return value if isinstance(value, list) else [value]
