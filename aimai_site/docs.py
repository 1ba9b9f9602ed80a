"""The API's documentation pages (Swagger UI and Redoc), served from the installed packages."""

from django.views.generic import View
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView


class _PageOptions:
    """OPTIONS on an HTML-only view: the allowed methods, as Django's own views answer, rather
    than DRF's metadata, which such a view has no renderer for."""

    options = View.options


class SwaggerView(_PageOptions, SpectacularSwaggerSplitView):
    """Swagger UI with its settings as a script file (`?script`), not inline."""


class RedocView(_PageOptions, SpectacularRedocView):
    pass
