from django.urls import path, re_path
from rest_framework.routers import DefaultRouter

from countries.api import findings, views
from countries.api.aggregates import AggregateListView

app_name = "countries-api"

router = DefaultRouter()
router.register("countries", views.CountryViewSet, basename="country")
router.register("indicators", views.IndicatorViewSet, basename="indicator")
router.register("releases", views.DataReleaseViewSet, basename="release")
router.register("methodologies", views.MethodologyVersionViewSet, basename="methodology")
router.register("score-sets", views.ScoreSetViewSet, basename="score-set")

urlpatterns = [
    path("scores/", views.ScoreListView.as_view(), name="score-list"),
    re_path(
        r"^scores/(?P<iso3>[A-Za-z]{3})/$", views.ScoreDetailView.as_view(), name="score-detail"
    ),
    re_path(
        r"^scores/(?P<iso3>[A-Za-z]{3})/explain/$",
        views.ScoreExplainView.as_view(),
        name="score-explain",
    ),
    path("findings/", findings.FindingsView.as_view(), name="findings"),
    path("aggregates/", AggregateListView.as_view(), name="aggregate-list"),
    *router.urls,
]
