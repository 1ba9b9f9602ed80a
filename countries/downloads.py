"""Files anyone can take away: scores and observations as CSV, JSON and XLSX, and charts as
SVG, PNG or Vega-Lite JSON. Each names its methodology version, data release and digest, and
carries an ETag (the score set's digest: its content never changes)."""

import csv
import io
import json
import re

import vl_convert
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import condition
from openpyxl import Workbook

from aimai_site.errors import DomainError, InvalidInput, NotFoundError
from aimai_site.exports import attachment_header, safe_row
from aimai_site.rendered import Rendered, rendered_known, rendered_response
from countries import charts, maps
from countries.current import current_pointer
from countries.models import DataRelease, ScoreSet
from countries.selectors import HEX64, score_row, score_rows, score_set_resolve
from countries.services import observation_rows

SCORE_COLUMNS = [
    "country",
    "name",
    "region",
    "income_group",
    "capability",
    "solidarity",
    "burden",
    "aimai",
    "aimai_without_imputation",
    "rank",
    "rank_low",
    "rank_high",
    "classification",
    "coverage",
    "confidence",
]
ISO3 = re.compile(r"[A-Z]{3}")
PROVENANCE_COLUMNS = ["methodology", "methodology_version", "data_release", "score_set"]


def _score_set(request: HttpRequest) -> ScoreSet:
    params = request.GET
    return score_set_resolve(
        methodology=params.get("methodology"),
        digest=params.get("score_set"),
        as_of=params.get("as_of"),
    )


def _etag(request: HttpRequest, *args, **kwargs) -> str | None:
    try:
        return _score_set(request).digest + "-" + kwargs.get("fmt", "")
    except DomainError:
        return None


def _provenance(score_set: ScoreSet) -> dict:
    version = score_set.methodology_version
    return {
        "methodology": version.methodology.slug,
        "methodology_version": version.version,
        "data_release": score_set.release.slug,
        "score_set": score_set.digest,
    }


def _file(content, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = attachment_header(name)
    response["Cache-Control"] = "public, max-age=300"
    return response


@condition(etag_func=_etag)
def scores_download_view(request: HttpRequest, fmt: str) -> HttpResponse:
    score_set = _score_set(request)
    provenance = _provenance(score_set)
    rows = [score_row(s) for s in score_rows(score_set)]
    name = f"aimai-scores-{provenance['methodology']}-{score_set.digest[:12]}.{fmt}"
    if fmt == "json":
        body = {"score_set": provenance, "scores": [{k: r[k] for k in SCORE_COLUMNS} for r in rows]}
        response = JsonResponse(body, json_dumps_params={"indent": 1})
        response["Content-Disposition"] = attachment_header(name)
        return response
    # names come from reference data and members: no cell may open as a formula
    table = [[*SCORE_COLUMNS, *PROVENANCE_COLUMNS]] + [
        safe_row([r[k] for k in SCORE_COLUMNS] + [provenance[k] for k in PROVENANCE_COLUMNS])
        for r in rows
    ]
    if fmt == "csv":
        out = io.StringIO()
        csv.writer(out).writerows(table)
        return _file(out.getvalue(), "text/csv; charset=utf-8", name)
    book = Workbook()
    sheet = book.active
    sheet.title = "scores"
    for line in table:
        sheet.append(line)
    about = book.create_sheet("about")
    for key, value in provenance.items():
        about.append(safe_row([key, value]))
    out = io.BytesIO()
    book.save(out)
    return _file(
        out.getvalue(),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        name,
    )


def observations_download_view(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    """Every observation of a published data release (or of one country: ?country=ISO3), with
    its source. A release is frozen, so its files never change: immutable, with an ETag."""
    release = get_object_or_404(DataRelease.objects.published(), slug=slug)
    country = request.GET.get("country", "").upper()
    if country and not ISO3.fullmatch(country):
        raise InvalidInput("A country is an ISO 3166-1 alpha-3 code, e.g. KEN.", field="country")
    etag = f'"{release.content_digest}-{country}-{fmt}"'
    if request.headers.get("If-None-Match") == etag:
        return HttpResponse(status=304)
    observations = release.observations.order_by("indicator__code", "country__iso3")
    if country:
        observations = observations.filter(country__iso3=country)
    rows = observation_rows(observations)
    name = f"aimai-observations-{slug}{'-' + country if country else ''}.{fmt}"
    if fmt == "json":
        body = {
            "data_release": {"slug": release.slug, "content_digest": release.content_digest},
            "observations": rows,
        }
        response = JsonResponse(body, json_dumps_params={"indent": 1})
        response["Content-Disposition"] = attachment_header(name)
    else:
        out = io.StringIO()
        columns = ["indicator", "country", "year", "value", "source_url", "note"]
        writer = csv.writer(out)
        writer.writerow([*columns, "data_release", "release_digest"])
        for row in rows:  # a note is free text: it must not open as a formula
            writer.writerow(
                safe_row([*(row[c] for c in columns), release.slug, release.content_digest])
            )
        response = _file(out.getvalue(), "text/csv; charset=utf-8", name)
    response["ETag"] = etag
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


def chart_view(request: HttpRequest, name: str, fmt: str) -> HttpResponse:
    """A chart as Vega-Lite JSON, SVG or PNG: the embeddable URL of every chart on the site.
    Rendered once per score set and options, then served from the shared cache; the digest
    comes from the URL or the cached pointer, so a 304 or a cached chart reads no database."""
    try:
        digest = _chart_digest(request)
        options = chart_options(name, request.GET)
    except DomainError as exc:
        return _refusal(exc)
    kind = f"chart:{name}.{fmt}"
    named = bool(request.GET.get("score_set"))
    indicator = name == "map" and options["field"] not in maps.SCORES
    if (named or indicator) and not rendered_known(
        request, kind=kind, digest=digest, params=options
    ):  # what the URL names is checked before any render is counted
        if named and not ScoreSet.objects.filter(digest=digest).exists():
            return _refusal(NotFoundError(f"No score set with digest {digest}."))
        if indicator:
            try:
                maps.map_field(options["field"], score_set_resolve(digest=digest))
            except DomainError as exc:
                return _refusal(exc)
    try:
        return rendered_response(
            request,
            kind=kind,
            digest=digest,
            params=options,
            # by the digest of the key, never "the current one": the bytes match their key
            render=lambda: _chart_render(score_set_resolve(digest=digest), name, fmt, options),
            # ?score_set=<digest> names the content itself; other URLs follow the current set
            immutable=named,
        )
    except DomainError as exc:  # gone between the check and the render
        return _refusal(exc)


def _refusal(exc: DomainError) -> HttpResponse:
    return HttpResponse(
        exc.message, status=exc.http_status, content_type="text/plain; charset=utf-8"
    )


def _chart_digest(request: HttpRequest) -> str:
    """The digest of the score set a chart's URL asks for: named in it (checked for its form
    only), the current one of the headline or of ?methodology= from the cached pointer, or
    (?as_of=, an unknown methodology) resolved in the database."""
    params = request.GET
    digest, methodology, as_of = (params.get(k) for k in ("score_set", "methodology", "as_of"))
    if digest and not (methodology or as_of) and HEX64.fullmatch(digest):
        return digest
    if not (digest or as_of):
        pointer = current_pointer()
        found = pointer.digests.get(methodology) if methodology else pointer.digest
        if found:
            return found
    return _score_set(request).digest


def chart_options(name: str, params) -> dict[str, str]:
    """The options a chart's URL may set, each with its default filled in (one cache entry
    per distinct chart); anything else in the query is ignored."""
    if name == "concentration":
        sort = params.get("sort")
        return {"sort_by": sort if sort in ("capability", "aimai") else "capability"}
    if name == "map":
        # one of the scores or an indicator of the score set's methodology; which indicators
        # there are is checked when the map is drawn (an unknown one is refused, never drawn
        # as another), so a cached map is served without reading the database
        return {"field": maps.field_form_check(params.get("field") or "aimai")}
    return {}


def _chart_render(score_set: ScoreSet, name: str, fmt: str, options: dict[str, str]) -> Rendered:
    if name == "map":
        field = maps.map_field(options["field"], score_set)  # InvalidInput when unknown
        rows = maps.map_rows(score_set, [field.code])
        spec = charts.world_map(rows, field.code, label=field.label, log_scale=field.log_scale)
    else:
        rows = [score_row(s) for s in score_rows(score_set) if s.aimai is not None]
        spec = charts.SPECS[name](rows, **options)
    if spec.get("width") == "container":  # a file has no container to fit
        spec["width"] = 900 if name == "map" else 640
    spec["title"] = (
        f"{spec['title']} ({score_set.methodology_version}, score set {score_set.digest[:12]})"
    )
    if fmt == "json":
        return Rendered(json.dumps(spec).encode(), "application/json")
    if fmt == "svg":
        return Rendered(vl_convert.vegalite_to_svg(spec).encode(), "image/svg+xml")
    return Rendered(bytes(vl_convert.vegalite_to_png(spec, scale=2)), "image/png")
