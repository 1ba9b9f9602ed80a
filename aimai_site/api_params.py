"""The query parameters an API operation knows: any other is refused with a 400 naming it.

Kept apart from aimai_site.api, which DRF's settings import while its views load.
"""

from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions, filters
from rest_framework.mixins import ListModelMixin
from rest_framework.viewsets import ViewSetMixin


class KnownQueryParameters:
    """Refuses a query parameter the operation does not know, with a 400 naming it, so that a
    misspelt filter never answers as if it were not there.

    Known: `format`, a list's filters, `ordering` and page parameters, and what the view
    declares in `query_parameters` (plain ones) and `query_lookups` (ones naming an object).
    """

    query_parameters: tuple[str, ...] = ()
    query_lookups: tuple[str, ...] = ()

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        known = self.known_query_parameters()
        unknown = sorted(name for name in request.query_params if name not in known)
        if unknown:
            choices = ", ".join(sorted(known))
            message = f"Unknown query parameter; use one of: {choices}."
            raise exceptions.ValidationError({name: [message] for name in unknown})

    def known_query_parameters(self) -> set[str]:
        known = {"format", *self.query_parameters, *self.query_lookups}
        if self._is_list():
            known |= _list_parameters(self)
        return known

    def _is_list(self) -> bool:
        if isinstance(self, ViewSetMixin):
            return getattr(self, "action", None) == "list"
        return isinstance(self, ListModelMixin) and self.request.method == "GET"


def _list_parameters(view) -> set[str]:
    """The filters, ordering and page parameters a list view reads."""
    names: set[str] = set()
    for backend in getattr(view, "filter_backends", ()):
        if issubclass(backend, filters.OrderingFilter):
            names.add(backend.ordering_param)
        if issubclass(backend, DjangoFilterBackend):
            filterset_class = getattr(view, "filterset_class", None)
            if filterset_class is not None:
                names |= set(filterset_class.base_filters)
            names |= set(getattr(view, "filterset_fields", None) or ())
    paginator = getattr(view, "paginator", None)
    page_parameters = ("limit_query_param", "offset_query_param", "page_query_param")
    for attribute in (*page_parameters, "page_size_query_param"):
        if paginator is not None and getattr(paginator, attribute, None):
            names.add(getattr(paginator, attribute))
    return names
