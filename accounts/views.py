from allauth.account.models import EmailAddress
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from loti_portal.utils import client_ip

from .forms import AccountDeleteForm, ConfirmationResendForm, ProfileForm
from .privacy import account_delete, personal_data_export, personal_data_json
from .services import user_update_profile

# Wrong passwords on the delete page, per account, before it stops checking for a while: the
# page must not become a way to guess the password of a session left open.
DELETE_PASSWORD_ATTEMPTS = 5
DELETE_PASSWORD_LOCKOUT_SECONDS = 15 * 60
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
@login_required
@require_GET
def personal_data(request):
    return render(request, "accounts/personal_data.html", {"data": personal_data_export(user=request.user)})


@never_cache
@login_required
@require_GET
def personal_data_download(request):
    data = personal_data_json(personal_data_export(user=request.user))
    response = JsonResponse(data, json_dumps_params={"indent": 2, "ensure_ascii": False})
    response["Content-Disposition"] = 'attachment; filename="loti-network-portal-your-data.json"'
    return response


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def account_delete_confirm(request):
    failures_key = f"accounts:delete-password-failures:{request.user.pk}"
    locked_out = request.method == "POST" and cache.get(failures_key, 0) >= DELETE_PASSWORD_ATTEMPTS
    form = AccountDeleteForm(
        request.POST if request.method == "POST" else None, user=request.user, locked_out=locked_out
    )
    if request.method == "POST":
        if form.is_valid():
            account_delete(user=request.user)
            logout(request)
            return redirect("accounts:account-deleted")
        if form.has_error("password", code="incorrect"):
            cache.add(failures_key, 0, DELETE_PASSWORD_LOCKOUT_SECONDS)
            cache.incr(failures_key)
    status = 429 if locked_out else 200
    return render(request, "accounts/account_delete.html", {"form": form}, status=status)


@require_GET
def account_deleted(request):
    return render(request, "accounts/account_deleted.html")


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
