"""The portal's URLs plus three that fail on purpose, so tests can show the 400, 403 and 500
pages exactly as a visitor would get them (through the handlers, with DEBUG off)."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import path

from loti_portal.urls import handler400, handler403, handler404, handler500
from loti_portal.urls import urlpatterns as portal_urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


def fails_with_server_error(request):
    raise RuntimeError("A failure raised on purpose by a test")


def fails_with_permission_denied(request):
    raise PermissionDenied


def fails_with_bad_request(request):
    raise SuspiciousOperation("A bad request made on purpose by a test")


urlpatterns = [
    path("test-only/500/", fails_with_server_error),
    path("test-only/403/", fails_with_permission_denied),
    path("test-only/400/", fails_with_bad_request),
    *portal_urlpatterns,
]
