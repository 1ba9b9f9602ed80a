from django.urls import path

from registry import views

app_name = "registry"

urlpatterns = [
    path("", views.registry_list_view, name="list"),
    path("<int:leaf_index>/", views.registry_entry_view, name="entry"),
    path("feed.atom", views.EntriesAtomFeed(), name="feed-atom"),
    path("feed.json", views.registry_json_feed_view, name="feed-json"),
    path("entries.csv", views.registry_csv_view, name="csv"),
]
