from django.conf import settings
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import Organisation
from events.selectors import home_summary_for_user

from .celery import app as celery_app


@require_GET
def home(request):
    context = {}
    if request.user.is_authenticated:
        context["summary"] = home_summary_for_user(user=request.user)
    return render(request, "pages/home.html", context)


@require_GET
def accessibility_statement(request):
    return render(request, "pages/accessibility.html")


@require_GET
def privacy_notice(request):
    return render(request, "pages/privacy.html", {"answer_retention_days": settings.ANSWER_RETENTION_DAYS})


@never_cache
@require_GET
def healthz(request):
    """Report whether the database and the Celery broker answer. 200 when both do, else 503."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception as exc:  # any failure means unhealthy; the reason helps operators
        checks["database"] = f"error: {exc.__class__.__name__}"
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        checks["broker"] = "ok"
    except Exception as exc:
        checks["broker"] = f"error: {exc.__class__.__name__}"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)


@require_GET
def benchmark_floor(request):
    """The benchmark's reference page: a small template and one query, on the same stack.

    Not found unless BENCHMARK_FLOOR is on, so it never exists in production.
    """
    if not settings.BENCHMARK_FLOOR:
        raise Http404
    return render(request, "pages/benchmark_floor.html", {"organisation_count": Organisation.objects.count()})


@require_GET
def benchmark_layout(request):
    """What every page pays before its own content: the portal's layout and nothing else in it,
    for whoever asks (signed in, the session, the person, the header and footer). Not found
    unless BENCHMARK_FLOOR is on."""
    if not settings.BENCHMARK_FLOOR:
        raise Http404
    return render(request, "pages/benchmark_layout.html")


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def admin_sign_in(request):
    """Staff sign in to Django admin through the portal's own sign-in, so admin has the same
    limits on failed attempts and the same confirmed address as everyone else; admin's own
    password form is never offered (a post to it is sent to the same place)."""
    next_url = request.GET.get("next", "")
    admin_index = reverse("admin:index")
    if not (
        next_url.startswith(admin_index)
        and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()})
    ):
        next_url = admin_index
    if request.user.is_authenticated:
        if request.user.is_active and request.user.is_staff:
            return redirect(next_url)
        return render(request, "errors/admin_not_staff.html", status=403)
    return redirect(f"{reverse('account_login')}?{urlencode({'next': next_url})}")


def error_400(request, exception=None):
    return render(request, "errors/400.html", status=400)


def error_403(request, exception=None):
    return render(request, "errors/403.html", status=403)


def csrf_failure(request, reason=""):
    """A form posted with a missing or stale security token: usually a page left open too long."""
    return render(request, "errors/csrf.html", status=403)


def error_404(request, exception=None):
    return render(request, "errors/404.html", status=404)


def error_500(request):
    # Rendered without the request's context processors: the failure may be the database,
    # which `user` in the context would touch again.
    from django.http import HttpResponseServerError
    from django.template.loader import render_to_string

    from .context_processors import layout_context

    html = render_to_string("errors/500.html", layout_context())
    return HttpResponseServerError(html)
