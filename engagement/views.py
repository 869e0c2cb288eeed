from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from loti_portal.csv_export import csv_response

from . import selectors
from .forms import DashboardFilterForm


@login_required
@require_GET
def dashboard(request):
    """Staff's engagement dashboard: every chart, its table, and a CSV of each (?csv=<chart>)."""
    selectors.dashboard_allowed(user=request.user)
    networks = selectors.dashboard_networks()
    form = DashboardFilterForm(request.GET or None, networks=networks)
    dashboard = selectors.dashboard_get(filters=form.filters(), suppress=False, networks=networks)
    wanted = request.GET.get("csv")
    if wanted:
        section = dashboard.section(wanted)
        return csv_response(
            filename=f"{section.slug}-{timezone.localdate():%Y-%m-%d}.csv",
            header=section.header,
            rows=section.csv_rows(),
        )
    query = request.GET.copy()
    query.pop("csv", None)
    return render(
        request,
        "engagement/dashboard.html",
        {"form": form, "dashboard": dashboard, "query": query.urlencode()},
    )
