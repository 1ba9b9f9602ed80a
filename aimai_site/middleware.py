"""A refusal of the domain that reaches the top of a plain Django view (a download, a chart)
answers with its own status and message, not a server error. DRF views answer through the
API's exception handler before this is reached."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from aimai_site.api import error_json, is_api_request
from aimai_site.errors import DomainError, InvalidInput


class DomainErrorMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DomainError):
            return None
        if is_api_request(request):
            fields = (
                {exception.field: [exception.message]}
                if isinstance(exception, InvalidInput)
                else {}
            )
            return error_json(exception.code, exception.message, exception.http_status, fields)
        return render(
            request,
            "refused.html",
            {"message": exception.message, "status": exception.http_status},
            status=exception.http_status,
        )
