from django.urls import path

from loti_portal import converters  # noqa: F401 (registers <token:…>)

from . import views, views_check_in, views_guests, views_joining, views_notifications, views_offers

app_name = "events"

urlpatterns = [
    path("", views.event_list, name="event-list"),
    path("past/", views.event_list, {"past": True}, name="event-archive"),
    path("mine/", views.my_events, name="my-events"),
    path("notifications/", views_notifications.notification_settings, name="notification-settings"),
    path(
        "notifications/unsubscribe/<str:token>/",
        views_notifications.reminders_unsubscribe,
        name="reminders-unsubscribe",
    ),
    path("calendar/new-address/", views.calendar_feed_regenerate_view, name="calendar-feed-regenerate"),
    path("calendar/<token:token>.ics", views.calendar_feed, name="calendar-feed"),
    path("networks/<slug:slug>.ics", views.network_feed, name="network-feed"),
    path("join/<str:token>/", views_joining.event_join, name="event-join"),
    path("<slug:slug>/", views.event_detail, name="event-detail"),
    path("<slug:slug>/register/", views.event_register, name="event-register"),
    path("<slug:slug>/registered/", views.event_registered, name="event-registered"),
    path("<slug:slug>/cancel/", views.event_cancel, name="event-cancel"),
    path("<slug:slug>/offer/", views_offers.event_offer, name="event-offer"),
    path("<slug:slug>/check-in/", views_check_in.event_check_in, name="event-check-in"),
    path("<slug:slug>/calendar.ics", views.event_ics, name="event-ics"),
    path("<slug:slug>/register-as-guest/", views_guests.guest_register, name="guest-register"),
    path("<slug:slug>/register-as-guest/sent/", views_guests.guest_register_sent, name="guest-register-sent"),
    # Signed values (django.core.signing) may start with a dot: not the <token:> converter.
    path("<slug:slug>/confirm/<str:token>/", views_guests.guest_confirm, name="guest-confirm"),
    path(
        "<slug:slug>/your-registration/<str:token>/",
        views_guests.guest_registration,
        name="guest-registration",
    ),
    path(
        "<slug:slug>/your-registration/<str:token>/invitation.ics",
        views_guests.guest_registration_ics,
        name="guest-registration-ics",
    ),
    path(
        "<slug:slug>/your-registration/<str:token>/cancel/",
        views_guests.guest_registration_cancel_view,
        name="guest-registration-cancel",
    ),
    path(
        "<slug:slug>/your-registration/<str:token>/accept/",
        views_guests.guest_registration_accept_view,
        name="guest-registration-accept",
    ),
    path(
        "<slug:slug>/your-registration/<str:token>/delete/",
        views_guests.guest_registration_delete_view,
        name="guest-registration-delete",
    ),
]
