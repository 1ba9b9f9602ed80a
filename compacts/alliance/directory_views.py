"""Pages of the member directory and of the ways to take part: thin views over
compacts/alliance/directory.py."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from compacts.alliance import directory
from compacts.alliance.models import AllianceMembership
from compacts.choices import Way
from compacts.filtersets import MemberFilterSet

PAGE = 25


def member_list_view(request: HttpRequest) -> HttpResponse:
    filterset = MemberFilterSet(request.GET, queryset=directory.listed_members())
    valid = filterset.is_valid()
    found = filterset.qs if valid else AllianceMembership.objects.none()
    page = Paginator(found, PAGE).get_page(request.GET.get("page"))
    page.object_list = directory.members_described(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    context = {"filter": filterset, "page": page, "query": query.urlencode()}
    return render(request, "alliance/member_list.html", context, status=200 if valid else 400)


def member_detail_view(request: HttpRequest, slug: str) -> HttpResponse:
    context = directory.member_page(directory.member_get(slug))
    return render(request, "alliance/member_detail.html", context)


def participate_view(request: HttpRequest) -> HttpResponse:
    # a signed-in member publishes an offer straight from here, for each of their organisations
    organisations = (
        request.user.organisations.order_by("name") if request.user.is_authenticated else []
    )
    context = {"ways": dict(Way.choices), "organisations": organisations}
    return render(request, "alliance/participate.html", context)
