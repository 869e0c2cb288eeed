"""Your data: see it, download it, delete your account. Under /account/, beside the profile."""

from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from .forms import AccountDeleteForm
from .services import account_delete, personal_data_export, personal_data_json

# Wrong passwords on the delete page, per account, before it stops checking for a while: the
# page must not become a way to guess the password of a session left open.
DELETE_PASSWORD_ATTEMPTS = 5
DELETE_PASSWORD_LOCKOUT_SECONDS = 15 * 60


@never_cache
@login_required
@require_GET
def personal_data(request):
    return render(request, "privacy/personal_data.html", {"data": personal_data_export(user=request.user)})


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
            return redirect("privacy:account-deleted")
        if form.has_error("password", code="incorrect"):
            cache.add(failures_key, 0, DELETE_PASSWORD_LOCKOUT_SECONDS)
            cache.incr(failures_key)
    status = 429 if locked_out else 200
    return render(request, "privacy/account_delete.html", {"form": form}, status=status)


@require_GET
def account_deleted(request):
    return render(request, "privacy/account_deleted.html")
