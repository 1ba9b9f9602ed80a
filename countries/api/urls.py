from rest_framework.routers import DefaultRouter

from countries.api import views

app_name = "countries-api"

router = DefaultRouter()
router.register("countries", views.CountryViewSet, basename="country")
router.register("indicators", views.IndicatorViewSet, basename="indicator")
router.register("releases", views.DataReleaseViewSet, basename="release")

urlpatterns = router.urls
