"""The public log in the browser, and its feeds (Atom, JSON Feed, CSV)."""

import csv
from dataclasses import dataclass
from datetime import UTC, datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.syndication.views import Feed
from django.core.exceptions import BadRequest
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from aimai_site.errors import DomainError, InvalidInput
from aimai_site.exports import attachment_header, safe_row
from aimai_site.ratelimit import client_address, rate_limited
from registry.filtersets import EntryFilterSet
from registry.forms import ConcernForm
from registry.models import Concern, Entry
from registry.redress import ConcernConflict, concern_file
from registry.selectors import MAX_ENTRIES, inclusion_proof, whole_number
from registry.services import tree_head_current
from registry.terms import DIGEST_PREFIX
from registry.withholding import WITHHELD_LABEL

PAGE = 50
FEED_SIZE = 100  # entries in a feed page unless `limit` says fewer or more
FEED_MAX = 1000
CSV_PAGE = 10_000  # rows of a CSV page: the default and the most `limit` may ask
CSV_CHUNK = 500  # rows read by each query of a CSV page
# as the registry page tells them (it formats them in the reader's language)
PAGING = {
    "csv": CSV_PAGE,
    "feed": FEED_SIZE,
    "feed_max": FEED_MAX,
    "api": MAX_ENTRIES,
    "digest_prefix": DIGEST_PREFIX,
}


def _filtered(request: HttpRequest):
    filterset = EntryFilterSet(request.GET, queryset=Entry.objects.order_by("-leaf_index"))
    valid = filterset.is_valid()
    return filterset, (filterset.qs if valid else Entry.objects.none()), valid


def _feed_entries(request: HttpRequest):
    filterset, entries, valid = _filtered(request)
    if not valid:
        problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in filterset.errors.items())
        raise BadRequest(_("Invalid filters: %(problems)s") % {"problems": problems})
    return entries


@dataclass(frozen=True)
class FeedPage:
    entries: list[Entry]
    following: str | None  # the URL of the older entries that follow, if any


def _cursor(request: HttpRequest, name: str, default: int, low: int = 0, high=2**63 - 1) -> int:
    raw = request.GET.get(name)
    if raw in (None, ""):
        return default
    try:
        return whole_number(name, raw, low, high)
    except InvalidInput as exc:
        raise BadRequest(f"{name}: {exc.message}") from None


def _page_url(request: HttpRequest, name: str, value: int | None, limit: int) -> str | None:
    """This URL with its filters, for the page at cursor `value` (None: no such page)."""
    if value is None:
        return None
    query = request.GET.copy()
    query[name] = str(value)
    query["limit"] = str(limit)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def _linked(response: HttpResponse, following: str | None) -> HttpResponse:
    if following:
        response["Link"] = f'<{following}>; rel="next"'
    return response


def _feed_page(request: HttpRequest) -> FeedPage:
    """The newest entries matching the filters, FEED_SIZE by default and FEED_MAX at most,
    older than leaf `before` when given; and the URL of the page that follows."""
    entries = _feed_entries(request)
    before = _cursor(request, "before", None)
    limit = _cursor(request, "limit", FEED_SIZE, low=1, high=FEED_MAX)
    if before is not None:
        entries = entries.filter(leaf_index__lt=before)
    page = list(entries.order_by("-leaf_index")[: limit + 1])
    following = None
    if len(page) > limit:
        page = page[:limit]
        following = _page_url(request, "before", page[-1].leaf_index, limit)
    return FeedPage(page, following)


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
        "query_suffix": f"?{query.urlencode()}" if query else "",
        "paging": PAGING,
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
    return f"#{entry.leaf_index} {entry.event}: {entry.identifier or WITHHELD_LABEL}"


def _text(entry: Entry) -> str:
    """The entry's exact text, or what stands in its place once it is withheld."""
    return WITHHELD_LABEL if entry.withheld else entry.entry


class PagedAtom1Feed(Atom1Feed):
    """Atom with a `<link rel="next">` to the older entries (RFC 5005, feed paging)."""

    def add_root_elements(self, handler):
        super().add_root_elements(handler)
        if self.feed.get("next_url"):
            handler.addQuickElement("link", "", {"rel": "next", "href": self.feed["next_url"]})


class EntriesAtomFeed(Feed):
    """The latest entries (filters apply), a page at a time; `<link rel="next">` and a
    `Link` header give the older ones."""

    feed_type = PagedAtom1Feed
    title = "AI4NATIONS transparency registry"
    subtitle = "Every public event, as entered in the append-only log."

    def get_object(self, request):
        return _feed_page(request)

    def __call__(self, request, *args, **kwargs):
        response = super().__call__(request, *args, **kwargs)
        return _linked(response, getattr(request, "registry_next", None))

    def get_feed(self, obj, request):
        request.registry_next = obj.following  # the instance is shared: keep it per request
        return super().get_feed(obj, request)

    def feed_extra_kwargs(self, page):
        return {"next_url": page.following}

    def link(self):
        return reverse("registry:list")

    def items(self, page):
        return page.entries

    def item_title(self, entry):
        return _title(entry)

    def item_description(self, entry):
        return _text(entry)

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
    """JSON Feed 1.1 of the latest entries (filters apply), a page at a time: `next_url` (and
    a `Link: rel="next"` header) gives the older entries that follow."""
    page = _feed_page(request)
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
                "content_text": _text(e),
                "date_published": _moment(e).isoformat(),
                "_registry": {
                    "leaf_index": e.leaf_index,
                    "leaf_hash": e.leaf_hash,
                    "withheld": e.withheld,
                },
            }
            for e in page.entries
        ],
    }
    if page.following:
        feed["next_url"] = page.following
    response = JsonResponse(feed, content_type="application/feed+json")
    return _linked(response, page.following)


CSV_HEADER = [
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
CSV_COLUMNS = (
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
    "withheld_at",
)


class _Line:
    """A file-like object csv.writer writes one line to, handed straight back."""

    def write(self, text: str) -> str:
        return text


def _csv_row(row: tuple) -> list:
    index, event, identifier, url, digest, timestamp, org, country, leaf, text, withheld = row
    if withheld is not None:
        fields = (index, event, WITHHELD_LABEL, "", digest, timestamp, "", country, leaf)
        return safe_row(fields) + [WITHHELD_LABEL]
    fields = (index, event, identifier, url, digest, timestamp, org, country, leaf)
    # the entry itself stays byte for byte (JSON: it starts with "{")
    return safe_row(fields) + [text]


def _csv_lines(entries, start: int, end: int | None):
    """The CSV, a line at a time: the rows from leaf `start` up to (not including) `end`, read
    in chunks of CSV_CHUNK by leaf index (each a short query; the page is never held whole)."""
    writer = csv.writer(_Line())
    yield writer.writerow(CSV_HEADER)
    rows = entries.order_by("leaf_index").values_list(*CSV_COLUMNS)
    if end is not None:
        rows = rows.filter(leaf_index__lt=end)
    after = start - 1
    while True:
        chunk = list(rows.filter(leaf_index__gt=after)[:CSV_CHUNK])
        if not chunk:
            return
        after, full = chunk[-1][0], len(chunk) == CSV_CHUNK
        lines = "".join([writer.writerow(_csv_row(row)) for row in chunk])
        del chunk  # only the lines are held while they are sent
        yield lines
        if not full:
            return


def registry_csv_view(request: HttpRequest) -> StreamingHttpResponse:
    """The entries matching the filters, oldest first, as CSV (the exact entry text included;
    a withheld entry's text columns say so instead), streamed, CSV_PAGE rows at most: from
    leaf `start` (default 0), `limit` rows. `Link: <...?start=K>; rel="next"` names the page
    that follows; the last page has none."""
    entries = _feed_entries(request)
    start = _cursor(request, "start", 0)
    limit = _cursor(request, "limit", CSV_PAGE, low=1, high=CSV_PAGE)
    # the first leaf of the next page, found in the index: at most `limit` index rows read
    following = (
        entries.filter(leaf_index__gte=start)
        .order_by("leaf_index")
        .values_list("leaf_index", flat=True)[limit : limit + 1]
        .first()
    )
    response = StreamingHttpResponse(
        _csv_lines(entries, start, following), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = attachment_header("aimai-registry.csv")
    return _linked(response, _page_url(request, "start", following, limit))


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
            form.add_error(None, _("Too many concerns filed recently; please try again later."))
            response = render(request, "registry/concern_form.html", {"form": form}, status=429)
            response["Retry-After"] = str(retry_after)
            return response
        links = form.cleaned_data["evidence_links"].splitlines()
        fields = {k: v for k, v in form.cleaned_data.items() if k != "evidence_links"}
        try:
            concern = concern_file(user=request.user, evidence=links, **fields)
        except DomainError as exc:
            form.add_error(None, exc.message)
            status = exc.http_status if isinstance(exc, ConcernConflict) else 400
            return render(request, "registry/concern_form.html", {"form": form}, status=status)
        else:
            messages.success(
                request,
                _("Your concern is filed and entered in the registry; editors will review it."),
            )
            return redirect("registry:concern", pk=concern.pk)
    status = 400 if form.errors else 200
    return render(request, "registry/concern_form.html", {"form": form}, status=status)
