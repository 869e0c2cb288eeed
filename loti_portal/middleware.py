import time

from django.conf import settings
from django.utils.cache import patch_cache_control


class ContentSecurityPolicyMiddleware:
    """Send a Content-Security-Policy that allows no inline script and no third-party origins.

    Django admin keeps its own inline styles, so style-src allows 'unsafe-inline' there only.
    """

    POLICY = (
        "default-src 'self'; script-src 'self'; style-src 'self'{admin_styles}; img-src 'self' data:; "
        "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
        "base-uri 'self'; object-src 'none'"
    )

    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = "/admin/"

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            admin = request.path.startswith(self.admin_prefix)
            response["Content-Security-Policy"] = self.POLICY.format(
                admin_styles=" 'unsafe-inline'" if admin else ""
            )
        return response


class SessionIdleRefreshMiddleware:
    """Keep an active session alive without writing it on every request.

    A session expires SESSION_COOKIE_AGE seconds after it was last saved. Touching it once every
    SESSION_REFRESH_SECONDS makes that an idle timeout, at one write an hour instead of one per page.
    """

    KEY = "_refreshed_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and session.session_key:
            now = int(time.time())
            if now - session.get(self.KEY, 0) >= settings.SESSION_REFRESH_SECONDS:
                session[self.KEY] = now
        return self.get_response(request)


class PrivacyHeadersMiddleware:
    """Every response says which browser features the portal never uses (Permissions-Policy),
    and a page for someone signed in is never stored by a browser or a shared cache: it may show
    their registrations, their email address or the secret address of their calendar."""

    PERMISSIONS_POLICY = (
        "accelerometer=(), autoplay=(), camera=(), display-capture=(), encrypted-media=(), "
        "fullscreen=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), midi=(), "
        "payment=(), picture-in-picture=(), publickey-credentials-get=(), screen-wake-lock=(), "
        "sync-xhr=(), usb=(), xr-spatial-tracking=()"
    )
    PRIVATE = "private, no-store"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", self.PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if "Cache-Control" in response:
                patch_cache_control(response, private=True, no_store=True)  # merged with the view's
            else:
                response["Cache-Control"] = self.PRIVATE  # what patch_cache_control writes, at once
        return response
