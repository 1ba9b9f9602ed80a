"""The country search: a name or an ISO code typed on the home page or the countries list."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from countries.country_find import QUERY_MAX, FindResult, country_find
from countries.selectors import country_candidates

QUERY_TOO_LONG = f"A country's name or code is at most {QUERY_MAX} characters; shorten the search."


def country_find_view(request: HttpRequest) -> HttpResponse:
    """One country named: its page. Several: the list. None: a 200 page that says so, with
    the closest names. Not cached as a rendered page: each query is its own answer, and
    answering costs one query."""
    query = request.GET.get("q", "")
    if len(query) > QUERY_MAX:
        context = {"query": query[:QUERY_MAX], "error": QUERY_TOO_LONG, "result": FindResult("")}
        return render(request, "countries/country_find.html", context, status=400)
    candidates = country_candidates()
    result = country_find(query, candidates)
    if result.unique is not None:
        return redirect("countries:detail", iso3=result.unique.iso3)
    context = {"query": query.strip(), "result": result, "candidates": candidates}
    return render(request, "countries/country_find.html", context)
