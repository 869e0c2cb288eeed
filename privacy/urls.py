from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("your-data/", views.personal_data, name="personal-data"),
    path("your-data/download.json", views.personal_data_download, name="personal-data-download"),
    path("delete/", views.account_delete_confirm, name="account-delete"),
    path("deleted/", views.account_deleted, name="account-deleted"),
]
