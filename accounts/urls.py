from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("", views.profile_detail, name="profile-detail"),
    path("profile/edit/", views.profile_edit, name="profile-edit"),
    path("your-data/", views.personal_data, name="personal-data"),
    path("your-data/download.json", views.personal_data_download, name="personal-data-download"),
    path("delete/", views.account_delete_confirm, name="account-delete"),
    path("deleted/", views.account_deleted, name="account-deleted"),
    path("new-confirmation-link/", views.confirmation_resend, name="confirmation-resend"),
]
