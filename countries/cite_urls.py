"""About, licence, how to cite, and the permanent pages of score sets and data releases."""

from django.urls import path, re_path

from countries import cite_views

urlpatterns = [
    path("about/", cite_views.about_view, name="about"),
    path("licence/", cite_views.licence_view, name="licence"),
    path("cite/", cite_views.cite_view, name="cite"),
    path("score-sets/<str:digest>/", cite_views.score_set_view, name="score-set"),
    re_path(
        r"^score-sets/(?P<digest>[^/]+)/cite\.(?P<fmt>txt|bib|json)$",
        cite_views.score_set_cite_view,
        name="score-set-cite",
    ),
    # a release's slug is at most 80 characters: a longer one names nothing
    re_path(r"^releases/(?P<slug>[-a-zA-Z0-9_]{1,80})/$", cite_views.release_view, name="release"),
    re_path(
        r"^releases/(?P<slug>[-a-zA-Z0-9_]{1,80})/cite\.(?P<fmt>txt|bib|json)$",
        cite_views.release_cite_view,
        name="release-cite",
    ),
]
