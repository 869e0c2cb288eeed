from django.urls import path

from . import views

app_name = "certificates"

urlpatterns = [
    path("", views.certificate_check, name="certificate-check"),
    path("download/<slug:slug>/", views.certificate_download, name="certificate-download"),
    # Signed values (django.core.signing) may start with a dot: not the <token:> converter.
    path(
        "download/<slug:slug>/<str:token>/",
        views.guest_certificate_download,
        name="guest-certificate-download",
    ),
    path("<str:code>/", views.certificate_verified_view, name="certificate-verified"),
]
