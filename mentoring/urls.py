from django.urls import path

from . import views

app_name = "mentoring"

urlpatterns = [
    path("yours/", views.my_mentoring, name="yours"),
    path("pairings/<int:pairing_id>/", views.pairing_detail, name="pairing-detail"),
    path("pairings/<int:pairing_id>/accept/", views.pairing_accept, name="pairing-accept"),
    path("pairings/<int:pairing_id>/decline/", views.pairing_decline, name="pairing-decline"),
    path("pairings/<int:pairing_id>/check-in/", views.check_in_log, name="check-in-log"),
    path("pairings/<int:pairing_id>/fit/", views.fit_answer, name="fit-answer"),
    path("pairings/<int:pairing_id>/end/", views.pairing_end, name="pairing-end"),
    path("pairings/<int:pairing_id>/goals/", views.pairing_goals, name="pairing-goals"),
    path("pairings/<int:pairing_id>/feedback/", views.feedback_give, name="feedback-give"),
    path("requests/<int:request_id>/withdraw/", views.request_withdraw, name="request-withdraw"),
    path("circles/ask/<slug:network_slug>/", views.circle_ask, name="circle-ask"),
    path("circles/<slug:slug>/", views.circle_detail, name="circle-detail"),
    path("circles/<slug:slug>/calendar.ics", views.circle_calendar, name="circle-calendar"),
    path("circles/<slug:slug>/leave/", views.circle_leave, name="circle-leave"),
    path("<slug:slug>/", views.programme_detail, name="programme-detail"),
    path("<slug:slug>/sign-up/about-you/", views.sign_up_about, name="sign-up-about"),
    path("<slug:slug>/sign-up/goals/", views.sign_up_goals, name="sign-up-goals"),
    path("<slug:slug>/sign-up/code-of-conduct/", views.sign_up_code, name="sign-up-code"),
    path("<slug:slug>/mentors/", views.mentor_list, name="mentor-list"),
    path("<slug:slug>/profiles/<int:profile_id>/", views.profile_detail, name="profile-detail"),
]
