"""Addresses of the alliance: regional cooperation clusters."""

from django.urls import path

from compacts.alliance import cluster_views as views

app_name = "clusters"

urlpatterns = [
    path("", views.cluster_list_view, name="list"),
    path("propose/", views.cluster_propose_view, name="propose"),
    path("<slug:slug>/", views.cluster_detail_view, name="detail"),
    path("<slug:slug>/join/", views.cluster_join_view, name="join"),
    path("<slug:slug>/leave/", views.cluster_leave_view, name="leave"),
    path("<slug:slug>/<str:decision>/", views.cluster_decide_view, name="decide"),
]
