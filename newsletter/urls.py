from django.urls import path

from . import views

app_name = "newsletter"

urlpatterns = [
    path("", views.newsletter, name="newsletter"),
    path("subscribe/", views.subscribe, name="subscribe"),
    path("subscribe/me/", views.subscribe_member, name="subscribe-member"),
    path("check-your-email/", views.check_your_email, name="check-your-email"),
    path("confirm/<str:token>/", views.subscriber_confirm, name="subscriber-confirm"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("digests/", views.digest_settings, name="digest-settings"),
    path("digests/off/<str:token>/", views.digest_off, name="digest-off"),
    path("<int:pk>/", views.issue_detail, name="issue-detail"),
]
