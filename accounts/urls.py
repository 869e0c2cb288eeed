from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("", views.profile_detail, name="profile-detail"),
    path("profile/edit/", views.profile_edit, name="profile-edit"),
    path("new-confirmation-link/", views.confirmation_resend, name="confirmation-resend"),
]
