"""The country search: a name or an ISO code typed on the home page or the countries list."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from countries.country_find import QUERY_MAX, FindResult, country_find
from countries.selectors import country_candidates


def country_find_view(request: HttpRequest) -> HttpResponse:
    """One country named: its page. Several: the list. None: a 200 page that says so, with
    the closest names. Not cached as a rendered page: each query is its own answer, and
    answering costs one query."""
    query = request.GET.get("q", "")
    if len(query) > QUERY_MAX:
        error = _("A country's name or code is at most %(max)s characters; shorten the search.") % {
            "max": QUERY_MAX
        }
        context = {"query": query[:QUERY_MAX], "error": error, "result": FindResult("")}
        return render(request, "countries/country_find.html", context, status=400)
    candidates = country_candidates()
    result = country_find(query, candidates)
    if result.unique is not None:
        return redirect("countries:detail", iso3=result.unique.iso3)
    context = {"query": query.strip(), "result": result, "candidates": candidates}
    return render(request, "countries/country_find.html", context)
