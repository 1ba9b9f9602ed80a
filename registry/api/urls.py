from django.urls import path

from registry.api import views

app_name = "registry-api"

urlpatterns = [
    path("tree-head/", views.TreeHeadView.as_view(), name="tree-head"),
    path("public-key/", views.PublicKeyView.as_view(), name="public-key"),
    path("entries/", views.EntriesView.as_view(), name="entries"),
    path("proof/inclusion/", views.InclusionProofView.as_view(), name="inclusion"),
    path("proof/consistency/", views.ConsistencyProofView.as_view(), name="consistency"),
    path("witness/", views.WitnessView.as_view(), name="witness"),
    path("witnesses/", views.WitnessesView.as_view(), name="witnesses"),
]
