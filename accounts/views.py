from allauth.account.models import EmailAddress
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from loti_portal.utils import client_ip

from .forms import ConfirmationResendForm, ProfileForm
from .services import user_update_profile

# New confirmation links: one per address every few minutes, and a handful per browser address.
RESEND_PER_ADDRESS_SECONDS = 3 * 60
RESEND_PER_CLIENT = 10
RESEND_PER_CLIENT_SECONDS = 60 * 60


@login_required
@require_GET
def profile_detail(request):
    return render(request, "accounts/profile_detail.html", {"person": request.user})


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request):
    form = ProfileForm(request.POST if request.method == "POST" else None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user_update_profile(
            user=request.user,
            full_name=form.cleaned_data["full_name"],
            job_title=form.cleaned_data["job_title"],
            show_name_to_attendees=form.cleaned_data["show_name_to_attendees"],
        )
        messages.success(request, "Your details have been updated.")
        return redirect("accounts:profile-detail")
    if request.method == "POST":
        request.user.refresh_from_db()
    return render(request, "accounts/profile_edit.html", {"form": form})


@never_cache
@require_http_methods(["GET", "POST"])
def confirmation_resend(request):
    """Send a new link to confirm an address that is waiting to be confirmed. The answer is the
    same whether or not there is such an address, so it says nothing about who has an account."""
    form = ConfirmationResendForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        client_key = f"accounts:resend:client:{client_ip(request)}"
        cache.add(client_key, 0, RESEND_PER_CLIENT_SECONDS)
        if cache.incr(client_key) > RESEND_PER_CLIENT:
            form.add_error("email", "You have asked for too many links. Wait an hour, then try again")
            return render(request, "account/confirmation_resend.html", {"form": form}, status=429)
        email = form.cleaned_data["email"].strip().lower()
        address = EmailAddress.objects.filter(
            email__iexact=email, verified=False, user__is_active=True
        ).first()
        if address is not None and cache.add(
            f"accounts:resend:address:{email}", 1, RESEND_PER_ADDRESS_SECONDS
        ):
            address.send_confirmation(request, signup=address.user.last_login is None)
        return render(request, "account/confirmation_resend_sent.html", {"email": email})
    return render(request, "account/confirmation_resend.html", {"form": form})
