from django.urls import path

from countries.group_views import group_detail_view, group_list_view

app_name = "groups"

urlpatterns = [
    path("", group_list_view, name="list"),
    path("<slug:kind>/<slug:slug>/", group_detail_view, name="detail"),
]
