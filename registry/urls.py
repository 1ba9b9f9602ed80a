from django.urls import path

from registry import views

app_name = "registry"

urlpatterns = [
    path("", views.registry_list_view, name="list"),
    path("<int:leaf_index>/", views.registry_entry_view, name="entry"),
    path("feed.atom", views.EntriesAtomFeed(), name="feed-atom"),
    path("feed.json", views.registry_json_feed_view, name="feed-json"),
    path("entries.csv", views.registry_csv_view, name="csv"),
    path("concerns/", views.concern_list_view, name="concerns"),
    path("concerns/new/", views.concern_new_view, name="concern-new"),
    path("concerns/<int:pk>/", views.concern_detail_view, name="concern"),
]
