"""Pages of the compacts app: thin views over selectors, forms and services."""

from django.shortcuts import get_object_or_404, render

from compacts.models import Need, Offer, Organisation
from compacts.permissions import compact_for_user, listing_for_user


def compact_list_view(request):
    return render(request, "compacts/compact_list.html", {})


def compact_detail_view(request, pk: int):
    return render(
        request, "compacts/compact_detail.html", {"compact": compact_for_user(request.user, pk)}
    )


def offer_detail_view(request, pk: int):
    return render(
        request, "compacts/offer_detail.html", {"offer": listing_for_user(Offer, request.user, pk)}
    )


def need_detail_view(request, pk: int):
    return render(
        request, "compacts/need_detail.html", {"need": listing_for_user(Need, request.user, pk)}
    )


def organisation_detail_view(request, slug: str):
    org = get_object_or_404(Organisation, slug=slug)
    return render(request, "compacts/organisation_detail.html", {"organisation": org})
