"""The database out of reach (restarting, failing over, refusing connections): every page and
API route answers 503 with Retry-After and a plain message, never a 500 with a trace.

Django turns any exception of a view or a middleware (sessions, log-in, the limits cache, all
read the database before a view runs) into the 500 handler's answer, still inside the `except`
that caught it: `server_error()` looks at that exception and answers 503 when the database is
the cause. DRF's views re-raise what the API's exception handler leaves alone, so the API takes
the same way. The answer reads nothing from the database: no session, no user, no context
processor; and it is never cached.
"""

from __future__ import annotations

import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from aimai_site.api import api_server_error, error_json, is_api_request

# connection refused or lost, the server shutting down or starting up, a transaction rolled
# back by the server (deadlock, serialization): each may succeed if tried again shortly
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
# translated when sent (no database needed: the catalogues are files)
MESSAGE = gettext_noop("The service is briefly unavailable. Please try again in a moment.")


def database_unavailable(exception: BaseException | None) -> bool:
    return isinstance(exception, DATABASE_UNAVAILABLE)


def unavailable_response(request: HttpRequest) -> HttpResponse:
    """503: the API's JSON error body under /api/, a page (no database, no context) elsewhere."""
    retry_after = settings.HEALTH_RETRY_AFTER
    message = _(MESSAGE)
    if is_api_request(request):
        response = error_json("unavailable", message, 503)
    else:
        page = loader.render_to_string("503.html", {"message": message, "retry_after": retry_after})
        response = HttpResponse(page, status=503)
    response["Retry-After"] = str(retry_after)
    add_never_cache_headers(response)
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """The site's 500 handler (handler500): called inside the `except` that caught the
    exception, so the exception is still at hand; Django has logged it with its trace."""
    if database_unavailable(sys.exc_info()[1]):
        return unavailable_response(request)
    return api_server_error(request)
