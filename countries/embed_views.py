"""A chart alone, for other sites to frame: the only pages whose Content-Security-Policy and
X-Frame-Options let any site frame them. Everything else keeps frame-ancestors 'none' and
X-Frame-Options DENY (aimai_site/settings.py)."""

from csp.decorators import csp_replace
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.clickjacking import xframe_options_exempt

from aimai_site.errors import DomainError
from countries import charts, compare, embeds
from countries.selectors import score_set_resolve, score_set_rows
from countries.views import public_page


def _refused(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return render(request, "countries/embed.html", {"error": exc.message}, status=exc.http_status)


def _spec(name: str, state: dict[str, str], rows: list[dict]) -> dict:
    if name == "compare":
        return compare.chart(compare.codes_known(state[compare.PARAM].split(","), rows))
    scored = [row for row in rows if row["aimai"] is not None]
    if name == "concentration":
        return charts.concentration(scored, state["sort"])
    if name == "map":
        return charts.world_map(scored, state["field"], geometry_url=static(charts.GEO_STATIC))
    return charts.scatter(scored)


@xframe_options_exempt
@csp_replace({"frame-ancestors": ["*"]})
@public_page
def embed_view(request: HttpRequest, chart: str) -> HttpResponse:
    """/embed/<chart>/?<the chart's state, as on its page>: the chart, its title, where its
    numbers come from, the licence and a link to the full page."""
    try:
        state = embeds.chart_state(chart, request.GET)
        score_set = score_set_resolve(methodology=state.get("methodology"))
        spec = embeds.without_links(_spec(chart, state, score_set_rows(score_set)))
    except DomainError as exc:  # a bad state (400), an unknown chart or methodology (404)
        return _refused(request, exc)
    share = embeds.share_of(chart, state, spec["title"])
    context = {
        "chart": chart,
        "title": spec["title"],
        "description": spec["description"],
        "spec": spec,
        "still": embeds.file_path(chart, "svg", state, digest=score_set.digest),
        "page_url": embeds.page_path(chart, state),
        "share": share,
        "score_set": score_set,
        "licence": embeds.LICENCE,
        "licence_url": embeds.LICENCE_URL,
    }
    return render(request, "countries/embed.html", context)
