from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from .forms import ProfileForm
from .services import user_update_profile


@login_required
@require_GET
def profile_detail(request):
    return render(request, "accounts/profile_detail.html", {"person": request.user})


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user_update_profile(
            user=request.user,
            full_name=form.cleaned_data["full_name"],
            job_title=form.cleaned_data["job_title"],
        )
        messages.success(request, "Your details have been updated.")
        return redirect("accounts:profile-detail")
    if request.method == "POST":
        request.user.refresh_from_db()
    return render(request, "accounts/profile_edit.html", {"form": form})
