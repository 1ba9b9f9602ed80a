"""Addresses of the alliance: members, and the ways of taking part."""

from django.urls import path

from compacts.alliance import directory_views as views

app_name = "members"

urlpatterns = [
    path("members/", views.member_list_view, name="list"),
    path("members/<slug:slug>/", views.member_detail_view, name="detail"),
    path("participate/", views.participate_view, name="participate"),
]
