"""Every public chart as something to pass on: its state in a URL, the page that shows it, its
embed page (the one route other sites may frame), the embed code and its files.

A chart's state is the same query on the page, the embed page and the files: `methodology`,
and `sort` (concentration), `field` (map), `countries` (compare). The embed page refuses a
state it does not know (400) rather than drawing another chart than the one asked for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aimai_site.errors import InvalidInput, NotFoundError
from countries import charts
from countries.compare import PARAM as COMPARE_PARAM
from countries.compare import codes_parse

EMBEDDABLE = {
    "concentration": gettext_lazy("Capability and AIMAI"),
    "scatter": gettext_lazy("AIMAI against capability"),
    "map": gettext_lazy("The world by AIMAI"),
    "compare": gettext_lazy("Countries compared"),
}
# where each chart is on its page
ANCHORS = {"concentration": "concentration-title", "scatter": "scatter-title", "map": "map-title"}
SORTS = ("capability", "aimai")
LICENCE = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
FRAME_HEIGHT = {"concentration": 620, "scatter": 560, "map": 560, "compare": 560}


def chart_state(name: str, query) -> dict[str, str]:
    """The state of chart `name` in a query, each option checked and in a fixed order (one URL
    per chart); NotFoundError for a chart that is not embeddable, InvalidInput for a bad value."""
    if name not in EMBEDDABLE:
        raise NotFoundError(
            _("No chart “%(name)s”; the charts are %(charts)s.")
            % {"name": name[:40], "charts": ", ".join(EMBEDDABLE)}
        )
    state: dict[str, str] = {}
    if methodology := query.get("methodology"):
        state["methodology"] = methodology
    if name == "concentration":
        sort = query.get("sort") or "capability"
        if sort not in SORTS:
            raise InvalidInput(
                _("sort is one of %(options)s.") % {"options": ", ".join(SORTS)}, field="sort"
            )
        state["sort"] = sort
    elif name == "map":
        chosen = query.get("field") or "aimai"
        if chosen not in charts.DIMENSIONS:
            raise InvalidInput(
                _("field is one of %(options)s.") % {"options": ", ".join(charts.DIMENSIONS)},
                field="field",
            )
        state["field"] = chosen
    elif name == "compare":
        codes = codes_parse(query.getlist(COMPARE_PARAM))
        if not codes:
            raise InvalidInput(
                _("Name the countries to compare: ?countries=KEN,IND,BRA."), field=COMPARE_PARAM
            )
        state[COMPARE_PARAM] = ",".join(codes)
    return state


def _query(state: dict[str, str]) -> str:
    # the codes' commas stay as they are: the URL is read and copied by people
    return urlencode(state, safe=",")


def page_path(name: str, state: dict[str, str]) -> str:
    """The full page that shows the chart in this state."""
    if name == "compare":
        return f"{reverse('compare')}?{_query(state)}"
    shown = {k: v for k, v in state.items() if (k, v) not in (("sort", "capability"),)}
    query = _query(shown)
    return f"{reverse('home')}{'?' + query if query else ''}#{ANCHORS[name]}"


def file_path(name: str, fmt: str, state: dict[str, str], digest: str | None = None) -> str:
    """The chart as a file; with `digest`, of that score set for ever."""
    base = (
        reverse("compare-chart", kwargs={"fmt": fmt})
        if name == "compare"
        else reverse("chart", kwargs={"name": name, "fmt": fmt})
    )
    if digest:
        state = {"score_set": digest, **{k: v for k, v in state.items() if k != "methodology"}}
    return f"{base}?{_query(state)}"


def embed_path(name: str, state: dict[str, str]) -> str:
    return f"{reverse('embed', kwargs={'chart': name})}?{_query(state)}"


def absolute(path: str) -> str:
    """The public address of a path: the site's (SITE_URL), never the host a request named,
    since a page is rendered once for every visitor."""
    return f"{settings.SITE_URL}{path}"


@dataclass(frozen=True)
class Share:
    """What the Share menu of one chart offers."""

    chart: str
    title: str
    page_url: str
    embed_url: str
    downloads: list[tuple[str, str]] = field(default_factory=list)

    @property
    def embed_code(self) -> str:
        return (
            f'<iframe src="{escape(self.embed_url)}" title="{escape(self.title)}" '
            f'width="100%" height="{FRAME_HEIGHT[self.chart]}" loading="lazy"></iframe>'
        )


def share_of(name: str, state: dict[str, str], title: str | None = None) -> Share:
    downloads = [
        ("SVG", file_path(name, "svg", state)),
        ("PNG", file_path(name, "png", state)),
        ("Vega-Lite JSON", file_path(name, "json", state)),
    ]
    if name == "compare":
        downloads.append(
            ("CSV", f"{reverse('compare-data', kwargs={'fmt': 'csv'})}?{_query(state)}")
        )
    else:
        methodology = {"methodology": state["methodology"]} if "methodology" in state else {}
        query = f"?{_query(methodology)}" if methodology else ""
        downloads.append(("CSV", f"{reverse('scores-download', kwargs={'fmt': 'csv'})}{query}"))
    return Share(
        chart=name,
        title=str(title or EMBEDDABLE[name]),
        page_url=absolute(page_path(name, state)),
        embed_url=absolute(embed_path(name, state)),
        downloads=downloads,
    )


def overview_shares(query, sort_by: str, map_field: str) -> dict[str, Share]:
    """The Share menus of the overview's three charts, in the page's state."""
    methodology = {"methodology": query["methodology"]} if query.get("methodology") else {}
    return {
        "concentration": share_of("concentration", {**methodology, "sort": sort_by}),
        "scatter": share_of("scatter", dict(methodology)),
        "map": share_of(
            "map",
            {**methodology, "field": map_field},
            _("%(label)s around the world") % {"label": charts.DIMENSIONS[map_field]},
        ),
    }


def without_links(spec: dict) -> dict:
    """The specification without its marks' links: inside another site's frame a country's page
    cannot open (it refuses framing), so an embedded chart's marks link nowhere."""
    if isinstance(spec, dict):
        return {
            key: without_links(value)
            for key, value in spec.items()
            if not (key == "href" and isinstance(value, dict) and "field" in value)
        }
    if isinstance(spec, list):
        return [without_links(item) for item in spec]
    return spec
