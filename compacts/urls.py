from django.urls import path

from compacts import views

app_name = "compacts"

urlpatterns = [
    path("", views.compact_list_view, name="list"),
    path("<int:pk>/", views.compact_detail_view, name="compact"),
    path("offers/<int:pk>/", views.offer_detail_view, name="offer"),
    path("needs/<int:pk>/", views.need_detail_view, name="need"),
    path("organisations/<slug:slug>/", views.organisation_detail_view, name="organisation"),
]
