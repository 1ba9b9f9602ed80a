"""Files anyone can take away: scores and observations as CSV, JSON and XLSX, and charts as
SVG, PNG or Vega-Lite JSON. Each names its methodology version, data release and digest, and
carries an ETag (the score set's digest: its content never changes). Each carries, inside the
file, its source line, the licence and its score set's (or release's) citation: columns of a
CSV, members of a JSON file, a sheet and the properties of a workbook, the text and metadata
of an SVG, text chunks of a PNG."""

import csv
import io
import json
import re
import struct
import textwrap
import zlib
from xml.sax.saxutils import escape

import vl_convert
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import condition
from openpyxl import Workbook

from aimai_site.errors import DomainError, InvalidInput, NotFoundError
from aimai_site.exports import attachment_header, safe_row
from aimai_site.rendered import Rendered, rendered_known, rendered_response
from countries import charts, maps
from countries.citation import (
    PLATFORM_LICENCE,
    Citation,
    absolute,
    licences_by_indicator,
    release_citation,
    score_set_citation,
)
from countries.current import current_pointer
from countries.models import DataRelease, ScoreSet
from countries.narrow_charts import chart_layout, chart_spec, map_narrow
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
# a chart's file is rendered once per score set and options, for every reader, and cached
# without a language: its words stay English, as its citation and metadata are
FILE_LANGUAGE = "en"
PROVENANCE_COLUMNS = ["methodology", "methodology_version", "data_release", "score_set"]
# what every row of a CSV also says, after its provenance: under what licence, and how to cite
CITATION_COLUMNS = ["licence", "citation"]


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


def score_set_provenance(score_set: ScoreSet) -> dict:
    version = score_set.methodology_version
    return {
        "methodology": version.methodology.slug,
        "methodology_version": version.version,
        "data_release": score_set.release.slug,
        "score_set": score_set.digest,
    }


def _licence(sources: str) -> dict:
    return {"name": PLATFORM_LICENCE.name, "url": PLATFORM_LICENCE.url, "sources": sources}


def _file(content, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = attachment_header(name)
    response["Cache-Control"] = "public, max-age=300"
    return response


@condition(etag_func=_etag)
def scores_download_view(request: HttpRequest, fmt: str) -> HttpResponse:
    score_set = _score_set(request)
    provenance = score_set_provenance(score_set)
    citation = score_set_citation(score_set)
    rows = [score_row(s) for s in score_rows(score_set)]
    name = f"aimai-scores-{provenance['methodology']}-{score_set.digest[:12]}.{fmt}"
    if fmt == "json":
        body = {
            "score_set": provenance,
            "source": citation.source_line,
            "licence": _licence(
                f"The scores' sources keep their own: {absolute(reverse('licence'))}"
            ),
            "citation": citation.as_dict(),
            "scores": [{k: r[k] for k in SCORE_COLUMNS} for r in rows],
        }
        response = JsonResponse(body, json_dumps_params={"indent": 1})
        response["Content-Disposition"] = attachment_header(name)
        return response
    cited = [PLATFORM_LICENCE.name, citation.url]
    # names come from reference data and members: no cell may open as a formula
    table = [[*SCORE_COLUMNS, *PROVENANCE_COLUMNS, *CITATION_COLUMNS]] + [
        safe_row(
            [r[k] for k in SCORE_COLUMNS] + [provenance[k] for k in PROVENANCE_COLUMNS] + cited
        )
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
    for key, value in (
        ("source", citation.source_line),
        ("licence", f"{PLATFORM_LICENCE.name} ({PLATFORM_LICENCE.url})"),
        ("citation", citation.text),
        ("citation_url", citation.url),
    ):
        about.append(safe_row([key, value]))
    _cite_workbook(book, citation)
    out = io.BytesIO()
    book.save(out)
    return _file(
        out.getvalue(),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        name,
    )


def _cite_workbook(book: Workbook, citation: Citation) -> None:
    """The workbook's own properties say what it is, its licence and how to cite it."""
    properties = book.properties
    properties.title = citation.title
    properties.creator = "AI4NATIONS"
    properties.subject = citation.source_line
    properties.description = citation.text
    properties.identifier = citation.url
    properties.keywords = f"licence: {PLATFORM_LICENCE.name}"


def observations_download_view(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    """Every observation of a published data release (or of one country: ?country=ISO3), with
    its source. A release is frozen, so its files never change: immutable, with an ETag."""
    release = get_object_or_404(DataRelease.objects.published(), slug=slug)
    country = request.GET.get("country", "").upper()
    if country and not ISO3.fullmatch(country):
        raise InvalidInput(_("A country is an ISO 3166-1 alpha-3 code, e.g. KEN."), field="country")
    etag = f'"{release.content_digest}-{country}-{fmt}"'
    if request.headers.get("If-None-Match") == etag:
        return HttpResponse(status=304)
    observations = release.observations.order_by("indicator__code", "country__iso3")
    if country:
        observations = observations.filter(country__iso3=country)
    rows = observation_rows(observations)
    licences = licences_by_indicator()
    citation = release_citation(release)
    name = f"aimai-observations-{slug}{'-' + country if country else ''}.{fmt}"
    if fmt == "json":
        body = {
            "data_release": {"slug": release.slug, "content_digest": release.content_digest},
            "source": citation.source_line,
            # the figures are the sources': each observation carries its source's licence
            "licence": _licence("Each observation's `licence` is its source's, as recorded."),
            "citation": citation.as_dict(),
            "observations": [
                {**row, "licence": licences.get(row["indicator"], "")} for row in rows
            ],
        }
        response = JsonResponse(body, json_dumps_params={"indent": 1})
        response["Content-Disposition"] = attachment_header(name)
    else:
        out = io.StringIO()
        columns = ["indicator", "country", "year", "value", "source_url", "note"]
        writer = csv.writer(out)
        writer.writerow([*columns, "data_release", "release_digest", *CITATION_COLUMNS])
        for row in rows:  # a note is free text: it must not open as a formula
            writer.writerow(
                safe_row(
                    [
                        *(row[c] for c in columns),
                        release.slug,
                        release.content_digest,
                        licences.get(row["indicator"], ""),  # the source's, as recorded
                        citation.url,
                    ]
                )
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
        digest = chart_digest(request)
        options = {**chart_options(name, request.GET), **chart_layout(name, request.GET)}
    except DomainError as exc:
        return refusal_response(exc)
    kind = chart_kind(name, fmt)
    named = bool(request.GET.get("score_set"))
    indicator = name == "map" and options["field"] not in maps.SCORES
    if (named or indicator) and not rendered_known(
        request, kind=kind, digest=digest, params=options
    ):  # what the URL names is checked before any render is counted
        if named and not ScoreSet.objects.filter(digest=digest).exists():
            return refusal_response(
                NotFoundError(_("No score set with digest %(digest)s.") % {"digest": digest})
            )
        if indicator:
            try:
                maps.map_field(options["field"], score_set_resolve(digest=digest))
            except DomainError as exc:
                return refusal_response(exc)
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
        return refusal_response(exc)


def refusal_response(exc: DomainError) -> HttpResponse:
    return HttpResponse(
        exc.message, status=exc.http_status, content_type="text/plain; charset=utf-8"
    )


def chart_digest(request: HttpRequest) -> str:
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
    with translation.override(FILE_LANGUAGE):
        return _chart_drawn(score_set, name, fmt, options)


def _chart_drawn(score_set: ScoreSet, name: str, fmt: str, options: dict[str, str]) -> Rendered:
    if name == "map":
        field = maps.map_field(options["field"], score_set)  # InvalidInput when unknown
        rows = maps.map_rows(score_set, [field.code])
        drawn = map_narrow if options.get("layout") == "narrow" else charts.world_map
        spec = drawn(rows, field.code, label=field.label, log_scale=field.log_scale)
    else:
        rows = [score_row(s) for s in score_rows(score_set) if s.aimai is not None]
        spec = chart_spec(name, rows, options) or charts.SPECS[name](rows, **options)
    if spec.get("width") == "container":  # a file has no container to fit
        spec["width"] = 900 if name == "map" else 640
    return chart_file(spec, score_set, fmt, narrow=options.get("layout") == "narrow")


def chart_file(spec: dict, score_set: ScoreSet, fmt: str, narrow: bool = False) -> Rendered:
    """A chart's file (Vega-Lite JSON, SVG or PNG) that names its score set and carries its
    source line, licence and citation."""
    citation = score_set_citation(score_set)
    title = f"{spec['title']} ({score_set.methodology_version}, score set {score_set.digest[:12]})"
    # the source line is drawn under the title, so a copy of the picture still says it
    source, address = citation.source_line.split(" Cite: ", 1)
    subtitle = [source, f"Cite: {address}"]  # two lines: the address must not widen the picture
    if narrow:  # a phone's picture: lines that fit its width
        subtitle = [part for line in subtitle for part in textwrap.wrap(line, 46)]
    spec["title"] = {
        "text": title,
        "subtitle": subtitle,
        "subtitleColor": "#444",
        "anchor": "start",
    }
    spec["usermeta"] = {
        "source": citation.source_line,
        "licence": f"{PLATFORM_LICENCE.name} ({PLATFORM_LICENCE.url})",
        "citation": citation.text,
    }
    if fmt == "json":
        return Rendered(json.dumps(spec).encode(), "application/json")
    if fmt == "svg":
        svg = vl_convert.vegalite_to_svg(spec)
        return Rendered(_svg_cited(svg, title, citation).encode(), "image/svg+xml")
    png = bytes(vl_convert.vegalite_to_png(spec, scale=2))
    return Rendered(_png_cited(png, title, citation), "image/png")


# the charts' files carry their citation: an edition of the renders, so none cached before is
# served again
CHART_EDITION = "cited"


def chart_kind(name: str, fmt: str) -> str:
    """What a chart file's render is cached and tagged as."""
    return f"chart:{name}.{fmt}:{CHART_EDITION}"


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _svg_cited(svg: str, title: str, citation: Citation) -> str:
    """The SVG with its title, source line, licence and citation as its first children
    (<title>, <desc>, <metadata>), where readers and screen readers look for them."""
    metadata = json.dumps(
        {
            "source": citation.source_line,
            "licence": {"name": PLATFORM_LICENCE.name, "url": PLATFORM_LICENCE.url},
            "citation": citation.as_dict(),
        },
        ensure_ascii=False,
    )
    head = (
        f"<title>{escape(title)}</title>"
        f"<desc>{escape(citation.source_line)} Licence: {escape(PLATFORM_LICENCE.url)}. "
        f"{escape(citation.text)}</desc>"
        f'<metadata id="citation">{escape(metadata)}</metadata>'
    )
    opening = svg.index(">", svg.index("<svg")) + 1
    return svg[:opening] + head + svg[opening:]


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png_cited(png: bytes, title: str, citation: Citation) -> bytes:
    """The PNG with tEXt chunks (Title, Source, Copyright, Description: the PNG specification's
    keywords) after its header chunk, where image tools read them."""
    if not png.startswith(PNG_SIGNATURE):
        raise ValueError("not a PNG")
    header_end = len(PNG_SIGNATURE) + 8 + struct.unpack(">I", png[8:12])[0] + 4
    texts = {
        "Title": title,
        "Author": "AI4NATIONS",
        "Source": citation.source_line,
        "Copyright": f"{PLATFORM_LICENCE.name} ({PLATFORM_LICENCE.url})",
        "Description": citation.text,
    }
    return png[:header_end] + b"".join(_png_text(k, v) for k, v in texts.items()) + png[header_end:]


def _png_text(key: str, value: str) -> bytes:
    """A tEXt chunk (Latin-1), or an iTXt chunk (UTF-8) for text outside Latin-1."""
    try:
        return _png_chunk(b"tEXt", key.encode("latin-1") + b"\0" + value.encode("latin-1"))
    except UnicodeEncodeError:  # uncompressed, no language: keyword, flags, two empty fields
        return _png_chunk(b"iTXt", key.encode("latin-1") + b"\0\0\0\0\0" + value.encode())
