"""The newsletter's pages: sign-up, confirmation, unsubscribe, the archive, and turning digests off."""

from allauth.core import ratelimit
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import selectors, services
from .emails import issue_context
from .forms import DigestSettingsForm, SubscribeForm
from .tokens import confirm_token_read, digest_off_token_read, unsubscribe_token, unsubscribe_token_read

# The same throttle as sign-up (allauth's, configured in ACCOUNT_RATE_LIMITS): per address and per IP.
THROTTLE_ACTION = "newsletter_subscribe"
THROTTLED = "You have tried to subscribe too many times. Wait a few minutes, then try again."


def _newsletter_page(request, form, status=200):
    subscriber = selectors.subscriber_for_user(user=request.user)
    unsubscribe_url = None
    if subscriber is not None and subscriber.status == subscriber.Status.SUBSCRIBED:
        token = unsubscribe_token(subscriber_id=subscriber.pk, email=subscriber.email)
        unsubscribe_url = reverse("newsletter:unsubscribe", args=[token])
    return render(
        request,
        "newsletter/newsletter.html",
        {
            "form": form,
            "issues": selectors.issue_archive()[:24],
            "subscriber": subscriber,
            "unsubscribe_url": unsubscribe_url,
        },
        status=status,
    )


@require_GET
def newsletter(request):
    return _newsletter_page(request, SubscribeForm())


@require_POST
def subscribe(request):
    """From the footer of any page or from /newsletter/. Always the same answer for an accepted
    address, subscribed or not; errors are shown on the newsletter page, by the field."""
    form = SubscribeForm(request.POST)
    if not form.is_valid():
        return _newsletter_page(request, form, status=400)
    email = form.cleaned_data["email"].strip().lower()
    if not ratelimit.consume(request, action=THROTTLE_ACTION, key=email):
        form.add_error("email", THROTTLED)
        return _newsletter_page(request, form, status=429)
    services.subscriber_request(email=email, name=form.cleaned_data["name"])
    return redirect("newsletter:check-your-email")


@login_required
@require_POST
def subscribe_member(request):
    services.subscriber_subscribe_member(user=request.user)
    messages.success(request, f"You are subscribed to the monthly newsletter at {request.user.email}.")
    return redirect("newsletter:newsletter")


@require_GET
def check_your_email(request):
    return render(request, "newsletter/check_your_email.html")


@require_http_methods(["GET", "POST"])
def subscriber_confirm(request, token):
    """GET shows a button and changes nothing (mail scanners follow links); POST confirms."""
    try:
        subscriber_id, short_hash = confirm_token_read(token)
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return render(request, "newsletter/link_invalid.html", status=400)
    subscriber = selectors.subscriber_get_by_token(subscriber_id=subscriber_id, short_hash=short_hash)
    if subscriber is None:
        return render(request, "newsletter/link_invalid.html", status=400)
    if request.method == "POST":
        services.subscriber_confirm(subscriber=subscriber)
        return render(request, "newsletter/subscriber_confirmed.html", {"subscriber": subscriber})
    return render(request, "newsletter/subscriber_confirm.html", {"subscriber": subscriber})


@csrf_exempt  # RFC 8058: mail clients POST "List-Unsubscribe=One-Click" with no session; the token is signed
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """GET shows a button and changes nothing; POST (the button, or a mail client's one-click)
    unsubscribes. A forged or broken token is a 400."""
    try:
        subscriber_id, short_hash = unsubscribe_token_read(token)
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return render(request, "newsletter/link_invalid.html", status=400)
    subscriber = selectors.subscriber_get_by_token(subscriber_id=subscriber_id, short_hash=short_hash)
    if subscriber is None:
        # Deleted 30 days after unsubscribing: the link still says the address gets nothing.
        if request.method == "POST":
            return render(request, "newsletter/unsubscribed.html")
        return render(request, "newsletter/link_invalid.html", status=400)
    if request.method == "POST":
        services.subscriber_unsubscribe(subscriber=subscriber)
        return render(request, "newsletter/unsubscribed.html")
    return render(request, "newsletter/unsubscribe.html", {"subscriber": subscriber})


@csrf_exempt  # RFC 8058 one-click, as above
@require_http_methods(["GET", "POST"])
def digest_off(request, token):
    try:
        user_id, network_ids = digest_off_token_read(token)
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return render(request, "newsletter/link_invalid.html", status=400)
    if request.method == "POST":
        services.digests_turn_off(user_id=user_id, network_ids=network_ids)
        return render(request, "newsletter/digest_off_done.html")
    return render(request, "newsletter/digest_off.html")


@require_GET
def issue_detail(request, pk):
    issue = selectors.issue_get_public(pk=pk)
    context = issue_context(issue=issue, coming_up=selectors.issue_coming_up(issue=issue))
    return render(request, "newsletter/issue_detail.html", context)


@login_required
@require_POST
def digest_settings(request):
    """Saved from the notification settings page (events:notification-settings)."""
    networks = selectors.digest_networks_for(user=request.user)
    form = DigestSettingsForm(request.POST, networks=networks)
    if form.is_valid():
        services.digests_set(user=request.user, network_ids={int(pk) for pk in form.cleaned_data["networks"]})
        messages.success(request, "Your digest settings have been saved.")
    else:
        messages.error(request, "Your digest settings were not saved: choose networks from the list.")
    return redirect(reverse("events:notification-settings") + "#digests")
