from django.urls import path, re_path

from countries import find_views, views

app_name = "countries"

urlpatterns = [
    path("", views.country_list_view, name="list"),
    re_path(r"^(?P<iso3>[A-Za-z]{3})/$", views.country_detail_view, name="detail"),
    path("find/", find_views.country_find_view, name="find"),
]
