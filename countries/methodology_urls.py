from django.urls import path

from countries import views

app_name = "methodology"

urlpatterns = [
    path("", views.methodology_view, name="page"),
    path("schema.json", views.methodology_schema_view, name="schema"),
    path("<slug:slug>/<str:version>.yaml", views.methodology_file_view, name="file"),
]
