"""Addresses of the public consultation, under /methodology/proposals/."""

from django.urls import path

from compacts.consultation import views

app_name = "proposals"

urlpatterns = [
    path("", views.proposal_list_view, name="list"),
    path("new/", views.proposal_new_view, name="new"),
    path("<int:pk>/", views.proposal_detail_view, name="detail"),
    path("<int:pk>/methodology.yaml", views.proposal_file_view, name="file"),
    path("<int:pk>/comment/", views.proposal_comment_view, name="comment"),
    path("<int:pk>/support/", views.proposal_support_view, name="support"),
    path("<int:pk>/unsupport/", views.proposal_unsupport_view, name="unsupport"),
    path("<int:pk>/withdraw/", views.proposal_withdraw_view, name="withdraw"),
    path("<int:pk>/decide/", views.proposal_decide_view, name="decide"),
    path(
        "<int:pk>/comments/<int:comment>/hide/",
        views.comment_moderate_view,
        name="comment-hide",
    ),
]
