from allauth.account.decorators import secure_admin_login
from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_replace
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path, re_path
from django.views.decorators.cache import cache_control, cache_page
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView

from aimai_site import probes
from aimai_site.account_views import api_token_revoke_view, api_tokens_view
from aimai_site.docs import RedocView, SwaggerView
from aimai_site.language_views import language_choose_view
from aimai_site.middleware import too_many_attempts
from aimai_site.staticfinders import VEGA_BUNDLE
from countries import compare_views, downloads, embed_views
from countries.map_views import maps_view
from countries.views import check_file_view, overview_view, release_list_view

# a catalogue changes only with a release of the site: browsers keep it an hour
javascript_catalog_view = cache_control(public=True, max_age=3600)(
    cache_page(3600)(JavaScriptCatalog.as_view(domain="djangojs"))
)


def vega_bundle_moved(request: HttpRequest) -> HttpResponse:
    """A permanent redirect that browsers keep a day, not for ever: the hashed name it points
    to changes with the next version of the library."""
    response = redirect(static(VEGA_BUNDLE), permanent=True)
    response["Cache-Control"] = "public, max-age=86400"
    return response


admin.site.site_header = "AI4NATIONS editors' desk"
admin.site.site_title = "AI4NATIONS desk"
admin.site.index_title = "Data, methodology, registry and compacts"
# The admin has no log-in form of its own: the site's log-in (login guard, second factor).
admin.site.login = secure_admin_login(admin.site.login)

api_v1 = [
    path("", include("countries.api.urls")),
    path("registry/", include("registry.api.urls")),
    path("", include("compacts.api.urls")),
]

# Locale-neutral addresses, one for every language: files, charts, the API, the admin, probes.
urlpatterns = [
    # browsers ask for /favicon.ico on every page, the admin's included
    path("favicon.ico", lambda request: redirect(static("favicon.svg"), permanent=True)),
    # the chart library's old address, before it was a static file named by its hash
    path("assets/vega.js", vega_bundle_moved, name="vega-bundle"),
    path("language/<str:code>/", language_choose_view, name="language-choose"),
    re_path(
        r"^charts/(?P<name>concentration|scatter|map)\.(?P<fmt>svg|png|json)$",
        downloads.chart_view,
        name="chart",
    ),
    re_path(
        r"^downloads/scores\.(?P<fmt>csv|json|xlsx)$",
        downloads.scores_download_view,
        name="scores-download",
    ),
    re_path(
        r"^downloads/observations/(?P<slug>[-a-zA-Z0-9_]+)\.(?P<fmt>csv|json)$",
        downloads.observations_download_view,
        name="observations-download",
    ),
    re_path(
        r"^compare/data\.(?P<fmt>csv|json)$", compare_views.compare_data_view, name="compare-data"
    ),
    re_path(
        r"^charts/compare\.(?P<fmt>svg|png|json)$",
        compare_views.compare_chart_view,
        name="compare-chart",
    ),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # the docs' scripts are files (the split view serves Swagger UI's settings as one); Redoc
    # injects <style> elements from script and runs its search in a worker made from a blob, so
    # its page alone allows inline styles (a nonce would void 'unsafe-inline') and blob: workers;
    # never inline scripts
    path("api/docs/", SwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path(
        "api/redoc/",
        csp_replace({"style-src": [SELF, UNSAFE_INLINE], "worker-src": [SELF, "blob:"]})(
            RedocView.as_view(url_name="api-schema")
        ),
        name="api-redoc",
    ),
    # the operator's addresses; ProbeMiddleware answers them first (see aimai_site/probes.py)
    path("health/live", probes.live_view, name="health-live"),
    path("health/ready", probes.ready_view, name="health-ready"),
    path("metrics", probes.metrics_view, name="metrics"),
]

# The pages, in every language: English at these addresses, the others under /fr/, /es/, /ar/
# (aimai_site/languages.py).
urlpatterns += i18n_patterns(
    path("", overview_view, name="home"),
    # the site's scripts' text in the page's language (defines gettext for them)
    path("jsi18n/", javascript_catalog_view, name="javascript-catalog"),
    path("countries/", include("countries.urls")),
    # countries side by side, and every chart alone: the one route other sites may frame
    path("compare/", compare_views.compare_view, name="compare"),
    # a chart's name is a short word: a longer address is a plain 404, never a cache key
    re_path(
        r"^embed/(?P<chart>[a-z]{1,20})/$",
        embed_views.embed_view,
        name="embed",
    ),
    path("releases/", release_list_view, name="releases"),
    # about, licence and citation; permanent pages of score sets and releases
    path("", include("countries.cite_urls")),
    # regional and income-group aggregates of the index
    path("groups/", include("countries.group_urls")),
    # the seed's two world maps: AI compute, and capability next to AIMAI
    path("maps/", maps_view, name="maps"),
    path("data/check/", check_file_view, name="check-file"),
    # the public consultation on methodology changes (before the methodology's own addresses)
    path("methodology/proposals/", include("compacts.consultation.urls")),
    path("methodology/", include("countries.methodology_urls")),
    path("registry/", include("registry.urls")),
    path("compacts/", include("compacts.urls")),
    # the alliance: joining and the principles, the member directory, regional clusters
    path("", include("compacts.alliance.urls")),
    path("", include("compacts.alliance.directory_urls")),
    path("clusters/", include("compacts.alliance.cluster_urls")),
    path("accounts/tokens/", api_tokens_view, name="api-tokens"),
    path("accounts/tokens/<int:pk>/revoke/", api_token_revoke_view, name="api-token-revoke"),
    path("accounts/", include("compacts.account_urls")),
    path("accounts/", include("allauth.urls")),
    prefix_default_language=False,
)

# under /api/ every error is the API's JSON body, even one raised outside DRF
handler400 = "aimai_site.api.api_bad_request"
handler403 = "aimai_site.api.api_permission_denied"
handler404 = "aimai_site.api.api_page_not_found"
# the database out of reach is a 503 with Retry-After (aimai_site/unavailable.py)
handler500 = "aimai_site.unavailable.server_error"


def handler429(request):
    """allauth's own rate limits (sign-up, password reset, second-factor codes) answer here:
    their windows are a minute or less."""
    return too_many_attempts(request, "Too many requests: please wait a minute.", 60)
