"""The engagement dashboard's reads: a fixed number of queries on the monthly rollups whatever
the number of registrations (see models.py and services.rollup_refresh).

Who sees what: staff see every number. Anyone else shown these figures (an organisation lead,
for their own organisation) sees counts of 1 and 2 as "fewer than 3", so that nobody can be
singled out from a small number.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Max, Q, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.safestring import SafeString

from accounts.models import Organisation, User
from networks.models import Network

from . import charts
from .models import MonthlyAttendance, MonthlyMembership
from .services import months_back

PERIODS = {6: "Last 6 months", 12: "Last 12 months", 24: "Last 2 years", 36: "Last 3 years"}
SMALL = 3


def dashboard_allowed(*, user: User) -> None:
    """Staff only (organisation leads get their organisation's view elsewhere). Raises Http404."""
    if not (user.is_authenticated and user.is_staff):
        raise Http404("No such page")


@dataclass
class Filters:
    months: int = 12
    network: Network | None = None
    kind: str = ""
    organisation: Organisation | None = None  # an organisation lead's own, when scoped


@dataclass
class Section:
    """One chart, and the table and CSV of exactly its numbers."""

    slug: str
    title: str
    description: str
    header: list[str]
    rows: list[list]  # the first cell names the row; the rest are counts (None: fewer than 3) or text
    chart: SafeString | None = None
    note: str = ""
    numeric_from: int = 1  # columns from this one are numbers

    def csv_rows(self) -> list[list]:
        return [[_cell(value) for value in row] for row in self.rows]


@dataclass
class Dashboard:
    filters: Filters
    months: list[date]
    refreshed_at: datetime | None
    sections: list[Section] = field(default_factory=list)

    def section(self, slug: str) -> Section:
        for section in self.sections:
            if section.slug == slug:
                return section
        raise Http404("No such chart")


def _cell(value) -> str:
    if value is None:
        return "fewer than 3"
    if isinstance(value, float):
        return f"{value:.0%}"
    return str(value)


def _hide_small(value: int, suppress: bool) -> int | None:
    return None if suppress and 0 < value < SMALL else value


def _month_label(month: date) -> str:
    return month.strftime("%b %Y")


def _chart_label(month: date) -> str:
    return month.strftime("%b %y")


def dashboard_networks() -> list[Network]:
    """The active networks, by name: the filter's choices (one query)."""
    return list(Network.objects.filter(status=Network.Status.ACTIVE).order_by("name"))


def dashboard_get(*, filters: Filters, suppress: bool, networks: list[Network] | None = None) -> Dashboard:
    """Every chart of the dashboard for the filters, from the rollups: at most seven queries whatever
    the number of registrations or members (one more without `networks`, the active networks)."""
    months = months_back(end=timezone.localdate(), count=filters.months)
    scope = Q(month__gte=months[0], month__lte=months[-1])
    if filters.network is not None:
        scope &= Q(network=filters.network)
    if filters.kind:
        scope &= Q(organisation__kind=filters.kind)
    if filters.organisation is not None:
        scope &= Q(organisation=filters.organisation)
    attendance = MonthlyAttendance.objects.filter(scope).order_by()
    membership = MonthlyMembership.objects.filter(scope).order_by()

    def hide(value):
        return _hide_small(value or 0, suppress)

    refreshed_at = MonthlyAttendance.objects.aggregate(at=Max("refreshed_at"))["at"]  # query 1
    dashboard = Dashboard(filters=filters, months=months, refreshed_at=refreshed_at)
    month_labels = [_month_label(month) for month in months]
    chart_labels = [_chart_label(month) for month in months]

    # Registered against attended, per month (query 2).
    by_month = {
        row["month"]: row
        for row in attendance.values("month").annotate(
            registered=Sum("registered"), attended=Sum("attended"), no_show=Sum("no_show")
        )
    }
    rows = []
    for month, label in zip(months, month_labels, strict=True):
        row = by_month.get(month, {})
        registered, attended, no_show = (row.get(key) or 0 for key in ("registered", "attended", "no_show"))
        decided = attended + no_show
        rate = no_show / decided if decided and not (suppress and decided < SMALL) else ""
        rows.append([label, hide(registered), hide(attended), hide(no_show), rate])
    title = "Registered and attended, by month"
    description = (
        "Places kept at sessions and meetings that started in each month, and how many people came. The "
        "no-show rate is of the places whose attendance was recorded."
    )
    dashboard.sections.append(
        Section(
            slug="attendance-by-month",
            title=title,
            description=description,
            header=["Month", "Registered", "Attended", "Did not attend", "No-show rate"],
            rows=rows,
            chart=charts.columns(
                chart_id="attendance-by-month",
                title=title,
                desc=description,
                categories=chart_labels,
                series=[
                    charts.Series("Registered", [row[1] for row in rows]),
                    charts.Series("Attended", [row[2] for row in rows]),
                ],
            ),
        )
    )

    # Attendance by borough and by network, per month (queries 3 and 4).
    for slug, key, name_key, title, what, only_boroughs in (
        (
            "attendance-by-borough",
            "organisation_id",
            "organisation__name",
            "Attendance by borough",
            "borough",
            True,
        ),
        ("attendance-by-network", "network_id", "network__name", "Attendance by network", "network", False),
    ):
        queryset = (
            attendance.filter(organisation__kind=Organisation.Kind.BOROUGH) if only_boroughs else attendance
        )
        table = defaultdict(dict)
        names = {}
        for row in queryset.values("month", key, name_key).annotate(attended=Sum("attended")):
            names[row[key]] = row[name_key] or ("Sessions of no network" if not only_boroughs else "")
            table[row[key]][row["month"]] = row["attended"] or 0
        order = sorted(table, key=lambda ident: (-sum(table[ident].values()), names[ident]))
        rows = [
            [
                names[ident],
                *(hide(table[ident].get(month, 0)) for month in months),
                hide(sum(table[ident].values())),
            ]
            for ident in order
        ]
        description = (
            f"People who attended sessions and meetings, by {what}, in each month of the period and in "
            "total. "
            f"The chart shows each {what}'s total."
        )
        dashboard.sections.append(
            Section(
                slug=slug,
                title=title,
                description=description,
                header=[what.capitalize(), *month_labels, "Total"],
                rows=rows,
                chart=charts.bars(
                    chart_id=slug,
                    title=f"{title}: total attended in the period",
                    desc=description,
                    categories=[row[0] for row in rows],
                    values=[row[-1] for row in rows],
                )
                if rows
                else None,
            )
        )

    # Members per network over time, and new members per month (query 5).
    active = defaultdict(dict)
    joined_by_month = defaultdict(int)
    names = {}
    for row in membership.values("month", "network_id", "network__name").annotate(
        active=Sum("active"), joined=Sum("joined")
    ):
        names[row["network_id"]] = row["network__name"]
        active[row["network_id"]][row["month"]] = row["active"] or 0
        joined_by_month[row["month"]] += row["joined"] or 0
    order = sorted(active, key=lambda ident: names[ident])
    rows = [[names[ident], *(hide(active[ident].get(month, 0)) for month in months)] for ident in order]
    title = "Active members per network"
    description = "Members of each network at the end of each month."
    dashboard.sections.append(
        Section(
            slug="active-members",
            title=title,
            description=description,
            header=["Network", *month_labels],
            rows=rows,
            chart=charts.lines(
                chart_id="active-members",
                title=title,
                desc=description,
                categories=chart_labels,
                series=[charts.Series(row[0], row[1:]) for row in rows],
            )
            if rows
            else None,
        )
    )
    rows = [
        [label, hide(joined_by_month.get(month, 0))]
        for month, label in zip(months, month_labels, strict=True)
    ]
    title = "New members, by month"
    description = "People who joined a network in each month (someone joining two networks counts twice)."
    dashboard.sections.append(
        Section(
            slug="new-members",
            title=title,
            description=description,
            header=["Month", "New members"],
            rows=rows,
            chart=charts.columns(
                chart_id="new-members",
                title=title,
                desc=description,
                categories=chart_labels,
                series=[charts.Series("New members", [row[1] for row in rows])],
            ),
        )
    )

    # Boroughs with nobody in a network, at the end of the period (query 6 and 7).
    if filters.organisation is None and filters.kind in ("", Organisation.Kind.BOROUGH):
        boroughs = dict(
            Organisation.objects.filter(kind=Organisation.Kind.BOROUGH)
            .order_by("name")
            .values_list("id", "name")
        )
        present = defaultdict(set)
        for network_id, organisation_id in MonthlyMembership.objects.filter(
            month=months[-1], active__gt=0, organisation__kind=Organisation.Kind.BOROUGH
        ).values_list("network_id", "organisation_id"):
            present[network_id].add(organisation_id)
        if filters.network:
            networks = [filters.network]
        elif networks is None:
            networks = dashboard_networks()
        rows = []
        for network in networks:
            missing = [name for ident, name in boroughs.items() if ident not in present[network.pk]]
            rows.append(
                [network.name, len(missing), ", ".join(missing) or "None: every borough has a member"]
            )
        title = "Boroughs with nobody in a network"
        description = f"For each network, the boroughs with no member in it at the end of {month_labels[-1]}."
        dashboard.sections.append(
            Section(
                slug="boroughs-without-members",
                title=title,
                description=description,
                header=["Network", "Boroughs with nobody", "Which"],
                rows=rows,
                chart=charts.bars(
                    chart_id="boroughs-without-members",
                    title=f"{title}: how many",
                    desc=description,
                    categories=[row[0] for row in rows],
                    values=[row[1] for row in rows],
                )
                if rows
                else None,
                numeric_from=1,
            )
        )
    return dashboard
