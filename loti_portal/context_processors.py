from django.conf import settings
from django.urls import NoReverseMatch, reverse

# The main sections, in the order they appear in the header; an app whose URLs are not
# installed simply does not appear.
_SECTIONS = [("Networks", "networks:network-list"), ("Events", "events:event-list")]


def portal(request):
    navigation = []
    for label, url_name in _SECTIONS:
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        navigation.append({"label": label, "url": url, "active": request.path.startswith(url)})
    return {
        "SERVICE_NAME": "LOTI Network Portal",
        "SITE_URL": settings.SITE_URL,
        "CONTACT_EMAIL": settings.STAFF_NOTIFICATION_EMAIL,
        "NAVIGATION": navigation,
    }
