"""The public log in the browser, and its feeds (Atom, JSON Feed, CSV)."""

import csv
from datetime import UTC, datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.syndication.views import Feed
from django.core.exceptions import BadRequest
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from aimai_site.errors import DomainError
from aimai_site.exports import attachment_header, safe_row
from aimai_site.ratelimit import client_address, rate_limited
from registry.filtersets import EntryFilterSet
from registry.forms import ConcernForm
from registry.models import Concern, Entry
from registry.redress import concern_file
from registry.selectors import inclusion_proof
from registry.services import tree_head_current

PAGE = 50
FEED_SIZE = 100


def _filtered(request: HttpRequest):
    filterset = EntryFilterSet(request.GET, queryset=Entry.objects.order_by("-leaf_index"))
    valid = filterset.is_valid()
    return filterset, (filterset.qs if valid else Entry.objects.none()), valid


def _feed_entries(request: HttpRequest):
    filterset, entries, valid = _filtered(request)
    if not valid:
        problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in filterset.errors.items())
        raise BadRequest(f"Invalid filters: {problems}")
    return entries


def registry_list_view(request: HttpRequest) -> HttpResponse:
    filterset, entries, valid = _filtered(request)
    page = Paginator(entries, PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter": filterset,
        "page": page,
        "head": tree_head_current(),
        "query": query.urlencode(),
    }
    return render(request, "registry/list.html", context, status=200 if valid else 400)


def registry_entry_view(request: HttpRequest, leaf_index: int) -> HttpResponse:
    entry = get_object_or_404(Entry, leaf_index=leaf_index)
    head = tree_head_current()
    proof = inclusion_proof(entry.leaf_index, head.tree_size)
    context = {"entry": entry, "head": head, "proof": proof["audit_path"]}
    return render(request, "registry/entry.html", context)


def _moment(entry: Entry) -> datetime:
    return datetime.fromtimestamp(entry.timestamp / 1000, tz=UTC)


def _title(entry: Entry) -> str:
    return f"#{entry.leaf_index} {entry.event}: {entry.identifier}"


class EntriesAtomFeed(Feed):
    feed_type = Atom1Feed
    title = "AI4NATIONS transparency registry"
    subtitle = "Every public event, as entered in the append-only log."

    def get_object(self, request):
        self.request = request
        return _feed_entries(request)[:FEED_SIZE]

    def link(self):
        return reverse("registry:list")

    def items(self, entries):
        return entries

    def item_title(self, entry):
        return _title(entry)

    def item_description(self, entry):
        return entry.entry

    def item_link(self, entry):
        return reverse("registry:entry", kwargs={"leaf_index": entry.leaf_index})

    def item_guid(self, entry):
        return f"leaf:{entry.leaf_index}:{entry.leaf_hash}"

    item_guid_is_permalink = False

    def item_pubdate(self, entry):
        return _moment(entry)

    def item_updateddate(self, entry):
        return _moment(entry)


def registry_json_feed_view(request: HttpRequest) -> JsonResponse:
    """JSON Feed 1.1 of the latest entries (filters apply)."""
    entries = _feed_entries(request)[:FEED_SIZE]
    home = request.build_absolute_uri(reverse("registry:list"))
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": EntriesAtomFeed.title,
        "home_page_url": home,
        "feed_url": request.build_absolute_uri(),
        "items": [
            {
                "id": f"leaf:{e.leaf_index}:{e.leaf_hash}",
                "url": request.build_absolute_uri(
                    reverse("registry:entry", kwargs={"leaf_index": e.leaf_index})
                ),
                "title": _title(e),
                "content_text": e.entry,
                "date_published": _moment(e).isoformat(),
                "_registry": {"leaf_index": e.leaf_index, "leaf_hash": e.leaf_hash},
            }
            for e in entries
        ],
    }
    return JsonResponse(feed, content_type="application/feed+json")


def registry_csv_view(request: HttpRequest) -> HttpResponse:
    """Every entry matching the filters, oldest first, as CSV (the exact entry text included)."""
    entries = _feed_entries(request).order_by("leaf_index")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = attachment_header("aimai-registry.csv")
    writer = csv.writer(response)
    writer.writerow(
        [
            "leaf_index",
            "event",
            "identifier",
            "url",
            "digest",
            "timestamp",
            "organisation",
            "country",
            "leaf_hash",
            "entry",
        ]
    )
    for e in entries.iterator(chunk_size=2000):
        fields = (e.leaf_index, e.event, e.identifier, e.url, e.digest, e.timestamp)
        fields += (e.organisation, e.country, e.leaf_hash)
        # the entry itself stays byte for byte (JSON: it starts with "{")
        writer.writerow(safe_row(fields) + [e.entry])
    return response


CONCERNS_PER_HOUR = 5  # per member
CONCERNS_PER_DAY_PER_ADDRESS = 20


def concern_list_view(request: HttpRequest) -> HttpResponse:
    public = Concern.objects.filter(status__in=[Concern.Status.ACCEPTED, Concern.Status.RESOLVED])
    own = Concern.objects.filter(filed_by=request.user) if request.user.is_authenticated else []
    return render(request, "registry/concern_list.html", {"concerns": public, "own": own})


def concern_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    concern = get_object_or_404(Concern, pk=pk)
    reader = request.user
    can_read = concern.is_public or (
        reader.is_authenticated and (reader == concern.filed_by or reader.is_staff)
    )
    entries = Entry.objects.filter(identifier=f"concern-{concern.pk}").order_by("leaf_index")
    context = {"concern": concern, "can_read": can_read, "entries": entries}
    return render(request, "registry/concern_detail.html", context)


@login_required
def concern_new_view(request: HttpRequest) -> HttpResponse:
    form = ConcernForm(request.POST or None, initial=request.GET.dict())
    if request.method == "POST" and form.is_valid():
        address = client_address(request)
        retry_after = rate_limited(
            f"concern:user:{request.user.pk}", CONCERNS_PER_HOUR, 3600
        ) or rate_limited(f"concern:ip:{address}", CONCERNS_PER_DAY_PER_ADDRESS, 86400)
        if retry_after:
            form.add_error(None, "Too many concerns filed recently; please try again later.")
            response = render(request, "registry/concern_form.html", {"form": form}, status=429)
            response["Retry-After"] = str(retry_after)
            return response
        links = form.cleaned_data["evidence_links"].splitlines()
        fields = {k: v for k, v in form.cleaned_data.items() if k != "evidence_links"}
        try:
            concern = concern_file(user=request.user, evidence=links, **fields)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                "Your concern is filed and entered in the registry; editors will review it.",
            )
            return redirect("registry:concern", pk=concern.pk)
    status = 400 if form.errors else 200
    return render(request, "registry/concern_form.html", {"form": form}, status=status)
