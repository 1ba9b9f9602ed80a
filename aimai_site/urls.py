from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

api_v1 = [
    path("", include("countries.api.urls")),
    path("registry/", include("registry.api.urls")),
]

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="countries:list", permanent=False), name="home"),
    path("countries/", include("countries.urls")),
    path("methodology/", include("countries.methodology_urls")),
    path("registry/", include("registry.urls")),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
]

handler404 = "aimai_site.api.api_page_not_found"
