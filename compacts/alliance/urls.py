"""Addresses of the alliance: joining, the principles, the editors' decisions."""

from django.urls import path

from compacts.alliance import views

app_name = "alliance"

urlpatterns = [
    path("join/", views.join_view, name="join"),
    path("join/membership/", views.membership_view, name="membership"),
    path(
        "join/membership/<int:pk>/endorse/",
        views.membership_endorse_view,
        name="membership-endorse",
    ),
    path("join/membership/<int:pk>/end/", views.membership_end_view, name="membership-end"),
    path("join/review/", views.review_view, name="review"),
    path(
        "join/review/<int:pk>/<slug:action>/",
        views.review_decide_view,
        name="review-decide",
    ),
    path("principles/", views.principles_view, name="principles"),
    path("principles/new/", views.principles_new_view, name="principles-new"),
    path("principles/<int:version>/", views.principles_version_view, name="principles_version"),
]
