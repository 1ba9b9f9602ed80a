from django.urls import path, re_path

from countries.group_views import group_detail_view, group_list_view

app_name = "groups"

urlpatterns = [
    path("", group_list_view, name="list"),
    # short slugs only: the address is part of a rendered page's cache key
    re_path(r"^(?P<kind>[-a-z]{1,20})/(?P<slug>[-a-z]{1,40})/$", group_detail_view, name="detail"),
]
