from django.urls import path

from compacts import lifecycle_views, views

app_name = "compacts"

urlpatterns = [
    path("", views.compact_list_view, name="list"),
    path("dashboard/", views.dashboard_view, name="dashboard"),
    # compacts
    path("<int:pk>/", views.compact_detail_view, name="compact"),
    path("<int:pk>/edit/", views.compact_edit_view, name="compact-edit"),
    path("<int:pk>/parties/add/", views.party_add_view, name="party-add"),
    path("<int:pk>/parties/<int:party>/remove/", views.party_remove_view, name="party-remove"),
    path(
        "<int:pk>/milestones/<int:item>/done/",
        lifecycle_views.milestone_done_view,
        name="milestone-done",
    ),
    path("<int:pk>/<str:part>/add/", views.part_add_view, name="part-add"),
    path("<int:pk>/<str:part>/<int:item>/remove/", views.part_remove_view, name="part-remove"),
    path("<int:pk>/act/<str:action>/", lifecycle_views.compact_action_view, name="act"),
    path("<int:pk>/reports/new/", lifecycle_views.report_file_view, name="report-new"),
    path("reports/<int:pk>/confirm/", lifecycle_views.report_confirm_view, name="report-confirm"),
    path("suggestions/<int:pk>/start/", views.suggestion_start_view, name="suggestion-start"),
    # organisations ("new-organisation" cannot clash with a slug-based address)
    path("new-organisation/", views.organisation_create_view, name="organisation-new"),
    path("organisations/<slug:slug>/", views.organisation_detail_view, name="organisation"),
    path("organisations/<slug:slug>/edit/", views.organisation_edit_view, name="organisation-edit"),
    path(
        "organisations/<slug:slug>/delete/",
        views.organisation_delete_view,
        name="organisation-delete",
    ),
    path("organisations/<slug:slug>/members/", views.organisation_members_view, name="members"),
    path(
        "organisations/<slug:slug>/members/<int:pk>/remove/",
        views.membership_remove_view,
        name="member-remove",
    ),
    path("invitations/<int:pk>/accept/", views.invitation_accept_view, name="invitation-accept"),
    path(
        "organisations/<slug:slug>/new-compact/",
        views.compact_create_view,
        name="compact-new",
    ),
    # offers and needs
    path("offers/", views.offer_list_view, name="offers"),
    path("needs/", views.need_list_view, name="needs"),
    path("offers/<int:pk>/", views.offer_detail_view, name="offer"),
    path("needs/<int:pk>/", views.need_detail_view, name="need"),
]

for kind in ("offer", "need"):
    urlpatterns += [
        path(
            f"organisations/<slug:slug>/new-{kind}/",
            views.listing_create_view,
            {"kind": kind},
            name=f"{kind}-new",
        ),
        path(
            f"{kind}s/<int:pk>/edit/", views.listing_edit_view, {"kind": kind}, name=f"{kind}-edit"
        ),
    ]
    for act in ("publish", "withdraw"):
        urlpatterns.append(
            path(
                f"{kind}s/<int:pk>/{act}/",
                views.listing_status_view,
                {"kind": kind, "act": act},
                name=f"{kind}-{act}",
            )
        )
