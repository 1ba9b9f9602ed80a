"""Public country pages: thin views over selectors and the shared FilterSet."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.utils.translation import gettext as _

from aimai_site.errors import DomainError, InvalidInput, NotFoundError
from aimai_site.exports import attachment_header
from aimai_site.ratelimit import client_address, rate_limited
from aimai_site.rendered import rendered_page
from countries import charts, narrow_charts
from countries.aggregates import group_urls
from countries.choices import Classification
from countries.current import current_pointer
from countries.embeds import overview_shares
from countries.filtersets import CountryFilterSet, ScoreFilterSet
from countries.forms import ObservationFileForm
from countries.imports import file_assess
from countries.index.aggregate import EXPLAIN_DECOMPOSITION
from countries.index.reading import methodology_schema
from countries.intake import FileRefused
from countries.intake.files import size_check
from countries.listing import unscored_reason
from countries.methodology_page import (
    methodology_comparison,
    methodology_pages,
    version_comparison,
)
from countries.models import DataRelease, MethodologyVersion
from countries.providers import providers
from countries.public_index import (
    AlternativeView,
    coverage_get,
    difference_text,
    low_cause,
    parsed_of,
    score_gaps,
)
from countries.selectors import (
    by_local_name,
    country_corrections,
    country_list,
    country_profile_get,
    country_scores_get,
    findings_get,
    headline_coverage,
    indicator_names,
    overview_get,
    release_changelog,
    score_rows,
    score_set_resolve,
    score_set_rows,
)
from countries.trends import (
    country_release_scores,
    country_trends,
    trend_chart,
    trend_point_chosen,
)


def _public_state() -> tuple[str, str]:
    """What a public page depends on besides its address, without a query: the headline's
    current score set and the public content generation (countries/current.py)."""
    pointer = current_pointer()
    return pointer.digest, pointer.state


# the public index's pages: rendered once per state for anonymous visitors
public_page = rendered_page(_public_state)


@public_page
def country_list_view(request: HttpRequest) -> HttpResponse:
    release = DataRelease.objects.current()
    filterset = CountryFilterSet(
        request.GET, queryset=country_list(release=release), release=release
    )
    valid = filterset.is_valid()
    countries = by_local_name(filterset.qs) if valid else []
    index = _headline_rows()
    for country in countries:
        country.index_row = index["index_rows"].get(country.iso3)
        country.unscored = unscored_reason(country.index_row, country.observation_count)
    context = {
        "filter": filterset,
        "countries": countries,
        "release": release,
        "with_data": sum(1 for c in countries if c.observation_count),
        **index,
    }
    return render(request, "countries/country_list.html", context, status=200 if valid else 400)


def _headline_rows() -> dict:
    """The index (the headline's current score set): each country's row by ISO3 code."""
    try:
        score_set = score_set_resolve()
    except NotFoundError:
        return {"index_set": None, "index_rows": {}}
    rows = {row["country"]: row for row in score_set_rows(score_set)}
    return {"index_set": score_set, "index_rows": rows}


@public_page
def country_detail_view(request: HttpRequest, iso3: str) -> HttpResponse:
    if iso3 != iso3.upper():
        return redirect("countries:detail", iso3=iso3.upper(), permanent=True)
    profile = country_profile_get(iso3=iso3)
    trend = country_trends([profile.country.iso3]).get(profile.country.iso3, [])
    chosen = trend_point_chosen(trend, request.GET.get("release"))  # None: the current set
    scores = (
        country_release_scores(country=profile.country, point=chosen)
        if chosen
        else country_scores_get(country=profile.country)
    )
    context = {
        "profile": profile,
        "index": scores,
        "trend": trend,
        "trend_chart": trend_chart(trend),
        "chosen": chosen,
        "group_urls": group_urls(profile.country),
        **_country_index(scores),
        "decomposition": EXPLAIN_DECOMPOSITION,
        "compacts": list(providers.country_compacts(profile.country.iso3)),
        "compacts_counted": _compacts_in_score(scores, profile.country.iso3),
        "corrections": country_corrections(country=profile.country),
    }
    if scores.explanation and scores.explanation.score.aimai is not None:
        context["explain_spec"] = charts.contributions(
            scores.explanation.rows, profile.country.name
        )
        context["explain_narrow"] = narrow_charts.contributions_narrow(
            scores.explanation.rows, profile.country.name
        )
    return render(request, "countries/country_detail.html", context)


def _country_index(scores) -> dict:
    """The headline score with why it is low or what it lacks; the alternative views, each
    with how it differs from the headline."""
    names: dict[str, str] | None = None

    def gaps(score, parsed):
        nonlocal names
        if all(getattr(score, d) is not None for d in ("capability", "solidarity", "burden")):
            return []
        if names is None:
            names = indicator_names()
        return score_gaps(score, parsed, names)

    context: dict = {"headline": None, "alternatives": []}
    if scores.headline is not None:
        methodology, score_set, score = scores.headline
        parsed = parsed_of(score_set)
        context["headline"] = {
            "methodology": methodology,
            "score_set": score_set,
            "score": score,
            "cause": low_cause(score, parsed),
            "gaps": gaps(score, parsed),
        }
    for methodology, score_set, score in scores.alternatives:
        parsed = parsed_of(score_set)
        context["alternatives"].append(
            AlternativeView(
                methodology, score_set, score, difference_text(parsed), gaps(score, parsed)
            )
        )
    return context


def check_file_view(request: HttpRequest) -> HttpResponse:
    """Anyone checks a file before sending it: the same row-numbered report editors see,
    against the current release. Nothing is stored; size- and rate-limited."""
    form = ObservationFileForm(request.POST or None, request.FILES or None)
    report, status, retry_after = None, 200, 0
    if request.method == "POST" and form.is_valid():
        address = client_address(request)
        upload = form.cleaned_data["file"]
        retry_after = rate_limited(f"check:ip:{address}", settings.CHECK_RATE_PER_HOUR, 3600)
        if retry_after:
            form.add_error(
                None, _("Too many files checked from your address this hour; please try later.")
            )
            status = 429
        elif upload.size > settings.CHECK_MAX_BYTES:
            try:
                size_check(upload.size, settings.CHECK_MAX_BYTES)
            except FileRefused as exc:
                form.add_error("file", exc.message)
            status = 413
        else:
            try:
                assessment = file_assess(
                    content=upload.read(), mapping=form.mapping(), limit=settings.CHECK_MAX_BYTES
                )
            except InvalidInput as exc:
                form.add_error("file" if exc.field == "file" else None, exc.message)
                status = 400
            else:
                report = assessment.report.to_dict()
    elif request.method == "POST":
        status = 400
    context = {"form": form, "report": report, "max_mb": settings.CHECK_MAX_BYTES // 2**20}
    response = render(request, "countries/check_file.html", context, status=status)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def release_list_view(request: HttpRequest) -> HttpResponse:
    """Every published release, newest first, with its changelog."""
    context = {"releases": release_changelog(), **_headline_rows()}
    return render(request, "countries/release_list.html", context)


def _difference(overview) -> str:
    """How the chosen methodology differs from the headline; empty for the headline."""
    if overview.methodology.is_headline:
        return ""
    return difference_text(parsed_of(overview.score_set))


def _query_with(request: HttpRequest, **values: str) -> str:
    query = request.GET.copy()
    for key, value in values.items():
        query[key] = value
    return query.urlencode()


def _compacts_in_score(scores, iso3: str) -> list:
    """The compacts behind the headline score's compact_commitments; none to look for when
    that value is 0 or absent (most countries), so most pages spend no query on it."""
    headline = scores.scores[0][2] if scores.scores else None
    if headline is None or not (headline.values or {}).get("compact_commitments"):
        return []
    return providers.compacts_counted_for(iso3)


@public_page
def methodology_view(request: HttpRequest) -> HttpResponse:
    pages = methodology_pages()
    headline = next((page for page in pages if page.methodology.is_headline), None)
    context = {
        "pages": pages,
        "comparison": methodology_comparison(pages),
        "coverage": coverage_get(headline.score_set) if headline and headline.score_set else None,
        "versions": version_comparison(headline) if headline else None,
    }
    return render(request, "countries/methodology.html", context)


def methodology_schema_view(request: HttpRequest) -> JsonResponse:
    response = JsonResponse(methodology_schema(), json_dumps_params={"indent": 2})
    response["Content-Disposition"] = attachment_header(
        "aimai-methodology.schema.json", inline=True
    )
    return response


def methodology_file_view(request: HttpRequest, slug: str, version: str) -> HttpResponse:
    """A published methodology version's file, byte for byte as it was published."""
    found = get_object_or_404(
        MethodologyVersion.objects.published(), methodology__slug=slug, version=version
    )
    response = HttpResponse(found.source, content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = attachment_header(f"{slug}-{version}.yaml")
    response["ETag"] = f'"{found.digest}"'
    return response


@public_page
def overview_view(request: HttpRequest) -> HttpResponse:
    """The index at a glance: the concentration chart, the scatter, the map and the table."""
    methodology = request.GET.get("methodology") or None
    try:
        overview = overview_get(methodology=methodology)
    except DomainError as exc:
        return render(request, "countries/overview.html", {"error": exc.message}, status=404)
    filterset = ScoreFilterSet(request.GET, queryset=score_rows(overview.score_set))
    valid = filterset.is_valid()
    if valid:  # the filters pick countries; their rows come from the cached set
        shown = set(filterset.qs.values_list("country__iso3", flat=True))
        table = [r for r in overview.rows if r["country"] in shown]
    else:
        table = []
    # scored countries first, by rank (the rows' order); the unscored only when asked for
    show_all = request.GET.get("all") == "1" or (
        request.GET.get("classification") == Classification.INSUFFICIENT_DATA
    )
    unscored_hidden = 0 if show_all else sum(1 for r in table if r["aimai"] is None)
    if not show_all:
        table = [r for r in table if r["aimai"] is not None]
    scored = [r for r in overview.rows if r["aimai"] is not None]
    sort_by = (
        request.GET.get("sort")
        if request.GET.get("sort") in ("capability", "aimai")
        else "capability"
    )
    field = request.GET.get("field") if request.GET.get("field") in charts.DIMENSIONS else "aimai"
    context = {
        "overview": overview,
        "filter": filterset,
        "table": table,
        "unscored_hidden": unscored_hidden,
        "show_all_query": _query_with(request, all="1"),
        "scored": len(scored),
        "coverage": headline_coverage(overview),
        "key_findings": findings_get(score_set=overview.score_set, rows=overview.rows),
        "difference": (
            ""
            if overview.methodology.is_headline
            else difference_text(parsed_of(overview.score_set))
        ),
        "sort_by": sort_by,
        "field": field,
        "field_label": charts.DIMENSIONS[field],
        "dimensions": charts.DIMENSIONS,
        "shares": overview_shares(request.GET, sort_by, field),
        "specs": {
            "concentration": charts.concentration(scored, sort_by),
            "scatter": charts.scatter(scored),
            # every country of the set, so unscored shapes show the site's names too
            "map": charts.world_map(overview.rows, field, geometry_url=static(charts.GEO_STATIC)),
        },
    }
    # a phone's layouts of the concentration chart and the map, chosen by charts.js
    context["specs"].update(
        narrow_charts.page_specs(scored, sort_by, field, static(charts.GEO_STATIC))
    )
    return render(request, "countries/overview.html", context, status=200 if valid else 400)
