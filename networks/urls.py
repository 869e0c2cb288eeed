from django.urls import path

from loti_portal import converters  # noqa: F401 (registers <token:…>)

from . import views, views_manage

app_name = "networks"

urlpatterns = [
    path("", views.network_list, name="network-list"),
    path("yours/", views.membership_list, name="my-networks"),
    path("choose/", views.network_choose, name="choose"),
    path("invitations/<token:token>/", views.invitation_accept, name="invitation-accept"),
    path("<slug:slug>/", views.network_detail, name="network-detail"),
    path("<slug:slug>/join/", views.network_join, name="network-join"),
    path("<slug:slug>/apply/", views.network_apply, name="network-apply"),
    path("<slug:slug>/leave/", views.network_leave, name="network-leave"),
    path("<slug:slug>/manage/", views_manage.network_manage, name="network-manage"),
    path("<slug:slug>/manage/email/", views_manage.network_message, name="network-message"),
    path(
        "<slug:slug>/manage/applications/<int:membership_id>/approve/",
        views_manage.application_approve,
        name="application-approve",
    ),
    path(
        "<slug:slug>/manage/applications/<int:membership_id>/decline/",
        views_manage.application_decline,
        name="application-decline",
    ),
]
