"""A refusal of the domain that reaches the top of a plain Django view (a download, a chart)
answers with its own status and message, not a server error. DRF views answer through the
API's exception handler before this is reached."""

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
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


class NulCharacterMiddleware:
    """A NUL character in the address is answered before any view reads it: PostgreSQL cannot
    store or compare text that holds one, so it would otherwise surface as a server error
    wherever a parameter reaches a query. Nothing lives at such a path (404); such a query
    string is malformed (400)."""

    MESSAGE = "The query string holds a NUL character (%00)."

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path:
            raise Http404("Nothing lives at an address with a NUL character.")
        if any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            if is_api_request(request):
                return error_json("bad_request", self.MESSAGE, 400)
            return HttpResponseBadRequest(self.MESSAGE, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
