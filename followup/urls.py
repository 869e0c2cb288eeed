from django.urls import path

from . import views

app_name = "followup"

# Under /events/, beside the session's own pages (events.urls takes single-segment paths only).
urlpatterns = [
    path("networks/<slug:slug>/feedback/", views.network_feedback, name="network-feedback"),
    path("networks/<slug:slug>/feedback.csv", views.network_feedback_csv, name="network-feedback-csv"),
    path("<slug:slug>/materials/", views.materials_manage, name="materials-manage"),
    path(
        "<slug:slug>/materials/<int:material_id>/download/",
        views.material_download,
        name="material-download",
    ),
    path("<slug:slug>/feedback/", views.feedback_give, name="feedback-give"),
    path("<slug:slug>/feedback/results/", views.feedback_results, name="feedback-results"),
    path("<slug:slug>/feedback/results.csv", views.feedback_results_csv, name="feedback-results-csv"),
    # Signed values (django.core.signing) may start with a dot: not the <token:> converter.
    path("<slug:slug>/feedback/<str:token>/", views.guest_feedback, name="guest-feedback"),
    path(
        "<slug:slug>/feedback/<str:token>/materials/<int:material_id>/",
        views.guest_material_download,
        name="guest-material-download",
    ),
]
