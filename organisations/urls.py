from django.urls import path

from . import views

app_name = "organisations"

urlpatterns = [
    path("", views.organisation_home, name="home"),
    path("invite/", views.colleague_invite, name="colleague-invite"),
    path("engagement/", views.organisation_engagement, name="engagement"),
    path("claims/<int:request_id>/confirm/", views.claim_confirm, name="claim-confirm"),
    path("claims/<int:request_id>/reject/", views.claim_reject, name="claim-reject"),
]
