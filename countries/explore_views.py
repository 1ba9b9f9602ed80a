"""The what-if explorer's page, its numbers as JSON and its methodology file (countries/explore.py
does the work). The URL's query is the state; a refused state is a 400 with every reason."""

from dataclasses import replace

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from aimai_site.errors import DomainError
from aimai_site.exports import attachment_header
from countries import explore
from countries.choices import Classification
from countries.engine_messages import localized_all
from countries.selectors import indicator_names, score_set_resolve
from countries.whatif import Shift, VariantError

CLASS_LABELS = dict(Classification.choices)


def _items(request: HttpRequest) -> list[tuple[str, str]]:
    return [(key, value) for key, values in request.GET.lists() for value in values]


def _explorer_url(request: HttpRequest, query: str) -> str:
    url = request.build_absolute_uri(reverse("methodology:explore"))
    return f"{url}?{query}" if query else url


def _aimai_text(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _row(s: Shift, names: dict[str, str]) -> dict:
    """One country as the table, the movers list and the JSON show it; the texts are made
    here once, so the page drawn by the server and by its script read the same."""
    moved = s.moved
    if moved is None:
        direction, shift = "none", "—"
    elif moved == 0:
        direction, shift = "same", "="
    else:
        direction, shift = ("up", f"▲ {moved}") if moved > 0 else ("down", f"▼ {-moved}")
    return {
        "country": s.country,
        "name": names.get(s.country, s.country),
        "url": reverse("countries:detail", kwargs={"iso3": s.country}),
        "rank": s.rank,
        "published_rank": s.published_rank,
        "moved": s.moved,
        "aimai": s.aimai,
        "published_aimai": s.published_aimai,
        "classification": s.classification,
        "class_label": CLASS_LABELS.get(s.classification, s.classification),
        "published_class": s.published_class,
        "published_class_label": CLASS_LABELS.get(s.published_class, s.published_class),
        "aimai_text": _aimai_text(s.aimai),
        "published_aimai_text": _aimai_text(s.published_aimai),
        "direction": direction,
        "shift": shift,
    }


def _headers(
    response: HttpResponse, explored: explore.Exploration, *, public: bool = True
) -> HttpResponse:
    """Whether the engine ran; the JSON and the file (the same for everyone) may be kept by a
    shared cache, the page (its header shows who is logged in) may not."""
    response["X-Explore-Cache"] = "hit" if explored.cached else "miss"
    if public:
        response["Cache-Control"] = "public, max-age=300"
    return response


def explore_view(request: HttpRequest) -> HttpResponse:
    """The explorer: every control pre-filled from the URL, every country's variant beside its
    published score. A full form (the page without script) is sent to its shortest URL."""
    items = _items(request)
    context = {"errors": [], "query": ""}
    try:
        score_set = score_set_resolve()
        published = explore.published_get(score_set.digest)
    except DomainError as exc:
        return render(request, "countries/explore.html", {"unavailable": exc.message}, status=404)
    status = 200
    try:
        explored = explore.exploration(items, score_set_digest=score_set.digest)
    except VariantError as exc:
        explored = None
        context["errors"] = localized_all(exc.errors)
        status = 400
    if explored is not None and explored.state != items:
        query = explored.query
        return redirect(f"{request.path}?{query}" if query else request.path)
    dimensions, thresholds = explore.controls(published.base, items, indicator_names())
    context.update(
        {
            "score_set": score_set,
            "label": explore.not_published_label(score_set.digest),
            "base": published.base,
            "dimensions": dimensions,
            "thresholds": thresholds,
            # what the variant changes, in the reader's language (the file keeps English)
            "explored": (
                replace(explored, changes=localized_all(explored.changes)) if explored else None
            ),
        }
    )
    if explored is not None:
        context.update(
            {
                "query": explored.query,
                "share_url": _explorer_url(request, explored.query),
                "rows": [_row(s, explored.names) for s in explored.shifts],
                "movers": [_row(s, explored.names) for s in explored.movers],
                "chart": explore.rank_chart(explored),
            }
        )
    response = render(request, "countries/explore.html", context, status=status)
    return _headers(response, explored, public=False) if explored is not None else response


def _refused(errors: list[str], status: int = 400) -> JsonResponse:
    return JsonResponse(
        {"detail": _("This what-if state cannot be computed."), "errors": localized_all(errors)},
        status=status,
    )


def _explored_or_refusal(request: HttpRequest):
    try:
        return explore.exploration(_items(request)), None
    except VariantError as exc:
        return None, _refused(exc.errors)
    except DomainError as exc:
        return None, _refused([exc.message], status=exc.http_status)


def explore_results_view(request: HttpRequest) -> HttpResponse:
    """Every country of the variant as JSON, beside the published score set; 400 with the
    reasons for a state that cannot be computed."""
    explored, refusal = _explored_or_refusal(request)
    if refusal is not None:
        return refusal
    query = explored.query
    response = JsonResponse(
        {
            "not_published": True,
            "label": explored.label,
            "score_set": explored.score_set,
            "base": {
                "slug": explored.base.get("slug"),
                "version": explored.base.get("version"),
                "digest": explored.base_digest,
            },
            "variant": {
                "digest": explored.digest,
                "version": explored.variant.get("version"),
                "changes": localized_all(explored.changes),
                "query": query,
                "url": _explorer_url(request, query),
                "file": reverse("methodology:explore-file") + (f"?{query}" if query else ""),
            },
            "moved": explored.moved,
            "class_counts": [
                {"label": label, "published": before, "variant": after}
                for label, before, after in explored.class_counts()
            ],
            "countries": [_row(s, explored.names) for s in explored.shifts],
            "movers": [_row(s, explored.names) for s in explored.movers],
        }
    )
    return _headers(response, explored)


def explore_file_view(request: HttpRequest) -> HttpResponse:
    """The variant as a methodology file the validator accepts, labelled not published."""
    explored, refusal = _explored_or_refusal(request)
    if refusal is not None:
        return refusal
    text = explore.methodology_file(explored, _explorer_url(request, explored.query))
    response = HttpResponse(text, content_type="application/yaml; charset=utf-8")
    name = f"{explored.base.get('slug', 'methodology')}-variant-{explored.digest[:12]}.yaml"
    response["Content-Disposition"] = attachment_header(name)
    return _headers(response, explored)
