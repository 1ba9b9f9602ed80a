"""The member's own account pages that belong to the alliance (erasure on deletion)."""

from django.urls import path

from compacts.account_views import account_delete_view

urlpatterns = [
    path("delete/", account_delete_view, name="account-delete"),
]
