from django.urls import path

from countries import explore_views, views

app_name = "methodology"

urlpatterns = [
    path("", views.methodology_view, name="page"),
    path("schema.json", views.methodology_schema_view, name="schema"),
    # the explorer's file first: <slug>/<version>.yaml would take explore/methodology.yaml
    path("explore/methodology.yaml", explore_views.explore_file_view, name="explore-file"),
    path("<slug:slug>/<str:version>.yaml", views.methodology_file_view, name="file"),
    path("explore/", explore_views.explore_view, name="explore"),
    path("explore/results.json", explore_views.explore_results_view, name="explore-results"),
]
