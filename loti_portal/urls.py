from django.contrib import admin
from django.urls import include, path

from . import views

admin.site.site_header = "LOTI Network Portal administration"
admin.site.site_title = "LOTI Network Portal admin"
admin.site.index_title = "Networks, sessions and people"

urlpatterns = [
    path("", views.home, name="home"),
    path("accessibility/", views.accessibility_statement, name="accessibility"),
    path("privacy/", views.privacy_notice, name="privacy"),
    path("healthz", views.healthz, name="healthz"),
    path("benchmark/floor", views.benchmark_floor, name="benchmark-floor"),
    path("benchmark/layout", views.benchmark_layout, name="benchmark-layout"),
    path("account/", include("allauth.urls")),
    path("account/", include("accounts.urls")),
    path("account/", include("privacy.urls")),
    path("networks/", include("networks.urls")),
    path("events/", include("followup.urls")),
    path("events/", include("events.urls")),
    path("certificates/", include("certificates.urls")),
    path("newsletter/", include("newsletter.urls")),
    path("engagement/", include("engagement.urls")),
    path("organisation/", include("organisations.urls")),
    # Before admin's own URLs: admin's sign-in page is the portal's (views.admin_sign_in).
    path("admin/login/", views.admin_sign_in, name="admin-sign-in"),
    path("mentoring/", include("mentoring.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "loti_portal.views.error_400"
handler403 = "loti_portal.views.error_403"
handler404 = "loti_portal.views.error_404"
handler500 = "loti_portal.views.error_500"
