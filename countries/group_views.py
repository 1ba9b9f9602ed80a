"""Public pages of the regional and income-group aggregates, over countries.aggregates."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from countries.aggregates import aggregate_get, aggregates_get
from countries.names import name_sort_key
from countries.selectors import score_set_resolve
from countries.views import public_page


@public_page
def group_list_view(request: HttpRequest) -> HttpResponse:
    """Every region and income group of the index, each as its own row."""
    score_set = score_set_resolve()
    groups = aggregates_get(score_set=score_set)
    context = {
        "score_set": score_set,
        "regions": [g for g in groups if g.kind == "region"],
        "income_groups": [g for g in groups if g.kind == "income_group"],
    }
    return render(request, "countries/group_list.html", context)


@public_page
def group_detail_view(request: HttpRequest, kind: str, slug: str) -> HttpResponse:
    """One group: its means, the spread of AIMAI, its coverage and every member."""
    score_set = score_set_resolve()
    group = aggregate_get(score_set=score_set, kind=kind, slug=slug)
    # scored members by rank, then the rest by name
    members = sorted(
        group.members, key=lambda m: (m["rank"] is None, m["rank"] or 0, name_sort_key(m["name"]))
    )
    context = {"score_set": score_set, "group": group, "members": members}
    return render(request, "countries/group_detail.html", context)
