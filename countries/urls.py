from django.urls import path

from countries import views

app_name = "countries"

urlpatterns = [
    path("", views.country_list_view, name="list"),
    path("<str:iso3>/", views.country_detail_view, name="detail"),
]
