"""Countries side by side: the page, its chart as a file and its numbers as CSV or JSON."""

import csv
import io
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _

from aimai_site.errors import DomainError, InvalidInput, NotFoundError
from aimai_site.exports import attachment_header, safe_row
from aimai_site.rendered import Rendered, rendered_known, rendered_response
from countries import compare
from countries.citation import PLATFORM_LICENCE, score_set_citation
from countries.downloads import (
    CITATION_COLUMNS,
    FILE_LANGUAGE,
    chart_digest,
    chart_file,
    chart_kind,
    refusal_response,
    score_set_provenance,
)
from countries.embeds import share_of
from countries.models import ScoreSet
from countries.selectors import score_set_resolve, score_set_rows
from countries.trends import country_trends
from countries.views import public_page


def _page(request: HttpRequest, context: dict, status: int = 200) -> HttpResponse:
    return render(request, "countries/compare.html", context, status=status)


@public_page
def compare_view(request: HttpRequest) -> HttpResponse:
    """?countries=KEN,IND,BRA side by side; ?add=<name or code> (the form without script)
    adds one and redirects to the comparison's own URL."""
    methodology = request.GET.get("methodology") or None
    try:
        score_set = score_set_resolve(methodology=methodology)
    except DomainError as exc:
        return _page(request, {"error": exc.message}, status=exc.http_status)
    rows = score_set_rows(score_set)
    context = {
        "score_set": score_set,
        "choices": rows,
        "max_countries": compare.MAX_COUNTRIES,
        "methodology": methodology or "",
    }
    try:
        codes = compare.codes_parse(request.GET.getlist(compare.PARAM))
    except InvalidInput as exc:
        return _page(request, {**context, "error": exc.message, "codes": []}, status=400)
    known = [code for code in codes if code in {row["country"] for row in rows}]
    error = ""
    if "add" in request.GET:
        found = compare.country_find(request.GET["add"], rows)
        if found is None:
            error = _(
                "No country called “%(text)s”: pick a name from the list, or type its ISO3 code."
            ) % {"text": request.GET["add"][:60]}
        elif found not in known and len(known) >= compare.MAX_COUNTRIES:
            error = _("A comparison holds at most %(max)s countries: remove one first.") % {
                "max": compare.MAX_COUNTRIES
            }
        else:
            chosen = known + ([] if found in known else [found])
            state = {compare.PARAM: ",".join(chosen)}
            if methodology:
                state["methodology"] = methodology
            return redirect(f"{request.path}?{urlencode(state, safe=',')}")
    if len(known) < len(codes):
        try:
            compare.codes_known(codes, rows)
        except InvalidInput as exc:
            error = exc.message
    comparison = compare.comparison_get(score_set=score_set, rows=rows, codes=known)
    context.update(
        {
            "error": error,
            "comparison": comparison,
            "codes": known,
            "known_query": compare.query_of(known),
        }
    )
    if comparison.rows:
        context["trend"] = _trend_table(comparison.rows)
        state = {"methodology": methodology} if methodology else {}
        state[compare.PARAM] = ",".join(known)
        context["spec"] = compare.chart(comparison.rows)
        context["share"] = share_of("compare", state)
    return _page(request, context, status=400 if error else 200)


def _trend_table(rows: list[dict]) -> dict:
    """Each compared country's headline AIMAI on every data release (one query): the releases
    as columns, oldest first, back-casts marked."""
    trends = country_trends([row["country"] for row in rows])
    releases = {}
    for points in trends.values():
        for point in points:
            releases.setdefault(point.release, point)
    columns = sorted(releases.values(), key=lambda point: (point.release_date, point.release))
    lines = []
    for row in rows:
        by_release = {point.release: point.aimai for point in trends.get(row["country"], [])}
        lines.append((row, [by_release.get(column.release) for column in columns]))
    return {"releases": columns, "lines": lines}


def _codes_or_refuse(request: HttpRequest) -> list[str]:
    codes = compare.codes_parse(request.GET.getlist(compare.PARAM))
    if not codes:
        raise InvalidInput(
            _("Name the countries to compare: ?countries=KEN,IND,BRA."), field=compare.PARAM
        )
    return codes


def compare_chart_view(request: HttpRequest, fmt: str) -> HttpResponse:
    """The comparison's chart as SVG, PNG or Vega-Lite JSON, rendered once per score set and
    countries (see countries/downloads.py chart_view, whose rules it follows)."""
    try:
        codes = _codes_or_refuse(request)
        digest = chart_digest(request)
    except DomainError as exc:
        return refusal_response(exc)
    params = {compare.PARAM: ",".join(codes)}
    kind = chart_kind("compare", fmt)
    named = bool(request.GET.get("score_set"))
    if (
        named
        and not rendered_known(request, kind=kind, digest=digest, params=params)
        and not ScoreSet.objects.filter(digest=digest).exists()
    ):
        return refusal_response(
            NotFoundError(_("No score set with digest %(digest)s.") % {"digest": digest})
        )
    try:
        return rendered_response(
            request,
            kind=kind,
            digest=digest,
            params=params,
            render=lambda: _chart_render(score_set_resolve(digest=digest), codes, fmt),
            immutable=named,
        )
    except DomainError as exc:  # an unknown code, found while rendering
        return refusal_response(exc)


def _chart_render(score_set: ScoreSet, codes: list[str], fmt: str) -> Rendered:
    rows = compare.codes_known(codes, score_set_rows(score_set))
    with translation.override(FILE_LANGUAGE):  # cached for every reader (downloads.py)
        spec = compare.chart(rows)
        spec["width"] = 640
        return chart_file(spec, score_set, fmt)


SCORE_COLUMNS = ["country", "name", "capability", "solidarity", "burden", "aimai", "rank"]


def compare_data_view(request: HttpRequest, fmt: str) -> HttpResponse:
    """The comparison's numbers: each country's scores and every indicator's value and 0-100
    score, with the score set they come from."""
    try:
        codes = _codes_or_refuse(request)
        score_set = score_set_resolve(
            methodology=request.GET.get("methodology"), digest=request.GET.get("score_set")
        )
        comparison = compare.comparison_get(
            score_set=score_set, rows=score_set_rows(score_set), codes=codes
        )
    except DomainError as exc:
        return refusal_response(exc)
    provenance = score_set_provenance(score_set)
    citation = score_set_citation(score_set)
    name = f"aimai-compare-{'-'.join(codes)}-{score_set.digest[:12]}.{fmt}"
    countries = []
    for position, row in enumerate(comparison.rows):
        entry = {key: row[key] for key in SCORE_COLUMNS}
        entry["classification"] = row["classification"]
        entry["indicators"] = {
            indicator.code: {
                "value": indicator.cells[position][0],
                "score": indicator.cells[position][1],
            }
            for indicator in comparison.indicators
        }
        countries.append(entry)
    if fmt == "json":
        response = JsonResponse(
            {
                "score_set": provenance,
                "source": citation.source_line,
                "licence": {"name": PLATFORM_LICENCE.name, "url": PLATFORM_LICENCE.url},
                "citation": citation.as_dict(),
                "countries": countries,
            },
            json_dumps_params={"indent": 1},
        )
    else:
        out = io.StringIO()
        writer = csv.writer(out)
        codes_of = [indicator.code for indicator in comparison.indicators]
        writer.writerow(
            [
                *SCORE_COLUMNS,
                "classification",
                *(f"{code}_score" for code in codes_of),
                *(f"{code}_value" for code in codes_of),
                *provenance,
                *CITATION_COLUMNS,
            ]
        )
        for entry in countries:
            writer.writerow(
                safe_row(
                    [
                        *(entry[key] for key in SCORE_COLUMNS),
                        entry["classification"],
                        *(entry["indicators"][code]["score"] for code in codes_of),
                        *(entry["indicators"][code]["value"] for code in codes_of),
                        *provenance.values(),
                        PLATFORM_LICENCE.name,
                        citation.url,
                    ]
                )
            )
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = attachment_header(name)
    response["Cache-Control"] = "public, max-age=300"
    return response
