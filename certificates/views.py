"""Downloading a certificate (the attendee only) and checking one's code (anyone)."""

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from events.selectors import event_get_for_user, registration_for_user
from loti_portal.utils import absolute_url, client_ip, content_digest

from .pdf import certificate_pdf
from .selectors import certificate_verified, guest_registration_for_certificate, normalise_code
from .services import CertificateRefused, certificate_issue

# Codes checked from one client address: enough for someone checking a pile of applications,
# far too few to find a code by trying (there are 2^60 of them).
VERIFY_LIMITS = ((60, 20), (3600, 200))


def _verify_allowed(request) -> bool:
    """Count one code checked from this client address; False once it is over a limit. The one
    place verification is throttled."""
    address = content_digest(client_ip(request))
    allowed = True
    for seconds, most in VERIFY_LIMITS:
        counter = f"certificates:verify:{seconds}:{address}"
        cache.add(counter, 0, seconds)
        if cache.incr(counter) > most:
            allowed = False
    return allowed


def _pdf_response(registration) -> HttpResponse:
    certificate = certificate_issue(registration=registration)
    verify_url = absolute_url(reverse("certificates:certificate-verified", args=[certificate.code]))
    response = HttpResponse(
        certificate_pdf(
            certificate=certificate,
            verify_url=verify_url,
            check_url=absolute_url(reverse("certificates:certificate-check")),
        ),
        content_type="application/pdf",
    )
    response["Content-Disposition"] = f'attachment; filename="certificate-{registration.event.slug}.pdf"'
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def _unavailable(request, event, reason: str):
    return render(
        request, "certificates/certificate_unavailable.html", {"event": event, "reason": reason}, status=403
    )


@login_required
@require_GET
def certificate_download(request, slug):
    event = event_get_for_user(user=request.user, slug=slug)
    registration = registration_for_user(event=event, user=request.user)
    if registration is not None:
        registration.event = event
    try:
        return _pdf_response(registration)
    except CertificateRefused as refused:
        return _unavailable(request, event, str(refused))


@require_GET
def guest_certificate_download(request, slug, token):
    registration = guest_registration_for_certificate(slug=slug, token=token)
    if registration is None:
        return render(
            request,
            "events/guest_link_problem.html",
            {
                "title": "This link is not valid",
                "text": "The link may have been copied wrongly, or the registration's details have "
                "been deleted. Check that you used the whole link from the email.",
            },
            status=404,
        )
    try:
        return _pdf_response(registration)
    except CertificateRefused as refused:
        return _unavailable(request, registration.event, str(refused))


def _throttled(request):
    response = render(request, "certificates/certificate_throttled.html", status=429)
    response["Retry-After"] = "60"
    return response


@require_GET
def certificate_check(request):
    """The form to type a code in; a code sent from it goes to its own page."""
    raw = request.GET.get("code")
    error = ""
    if raw is not None:
        code = normalise_code(raw)
        if not raw.strip():
            error = "Enter the verification code printed on the certificate"
        elif not code:
            error = "Enter the code as it is printed, like 7KQ2-M9XD-4TRB"
        else:
            return redirect("certificates:certificate-verified", code=code)
    return render(
        request,
        "certificates/certificate_check.html",
        {"error": error, "code": (raw or "")[:40]},
        status=400 if error else 200,
    )


@require_GET
def certificate_verified_view(request, code):
    if not _verify_allowed(request):
        return _throttled(request)
    verified = certificate_verified(code=code)
    response = render(
        request,
        "certificates/certificate_verified.html" if verified else "certificates/certificate_not_found.html",
        {"verified": verified, "code": code[:40]},
        status=200 if verified else 404,
    )
    response["X-Robots-Tag"] = "noindex"
    return response
