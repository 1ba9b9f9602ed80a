"""The OpenAPI schema: every operation lists the errors it can answer, in the one error body."""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework import serializers
from rest_framework.permissions import SAFE_METHODS, AllowAny, IsAuthenticatedOrReadOnly


class ErrorSerializer(serializers.Serializer):
    """The body of every API error."""

    code = serializers.CharField(help_text="Stable, for programs: invalid, not_found, ...")
    message = serializers.CharField(help_text="For people.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Each parameter or field in error with its messages; empty when the error "
        "is not about one input.",
    )


ERRORS = {
    "400": "Bad input: an unknown query parameter, a malformed parameter or body.",
    "401": "Not signed in (or the credentials were refused).",
    "403": "Signed in, but not allowed to do this.",
    "404": "No such object, or not one the requester may see.",
    "409": "The rules refuse this step in the object's present state.",
    "429": "Too many requests; `Retry-After` says when to try again.",
}

OPEN_FOR_READING = (AllowAny, IsAuthenticatedOrReadOnly)


class AutoSchema(SpectacularAutoSchema):
    """Adds the error responses an operation can give, unless the view documents its own:

    - 400 everywhere: any operation refuses unknown query parameters;
    - 401 and 403 where a permission may refuse the requester (writes, and reads that are
      not open to everyone);
    - 404 where a path parameter, or a query parameter or body field that names an object
      (the view's `query_lookups`, `body_lookups`), is looked up;
    - 409 on writes, which are steps the domain rules may refuse;
    - 429 where throttling applies.
    """

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        responses = operation["responses"]
        for status in self._error_statuses(operation):
            if status not in responses:
                responses[status] = self._error_response(status)
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def _error_statuses(self, operation: dict) -> list[str]:
        view = self.view
        statuses = ["400"]
        if self._may_refuse():
            statuses += ["401", "403"]
        in_path = any(p["in"] == "path" for p in operation.get("parameters", []))
        if in_path or getattr(view, "query_lookups", ()) or getattr(view, "body_lookups", ()):
            statuses.append("404")
        if self.method not in SAFE_METHODS:
            statuses.append("409")
        if view.get_throttles():
            statuses.append("429")
        return statuses

    def _may_refuse(self) -> bool:
        view = self.view
        if not view.get_authenticators():
            return False
        if self.method not in SAFE_METHODS:
            return True
        return not all(isinstance(p, OPEN_FOR_READING) for p in view.get_permissions())

    def _error_response(self, status: str) -> dict:
        response = self._get_response_for_code(ErrorSerializer, status)
        response["description"] = ERRORS[status]
        if status == "429":
            response["headers"] = {
                "Retry-After": {
                    "schema": {"type": "integer"},
                    "description": "Seconds to wait before the next request.",
                }
            }
        return response
