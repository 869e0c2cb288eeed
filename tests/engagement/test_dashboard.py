"""The engagement dashboard: its rollups, what each chart, table and CSV say, and who sees them."""

import csv
import io
import re
from datetime import datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from engagement import selectors
from engagement.models import MonthlyAttendance, MonthlyMembership
from engagement.services import rollup_refresh
from events.models import Event, Registration
from networks.models import Membership
from tests.factories import EventFactory, MembershipFactory, NetworkFactory, OrganisationFactory, UserFactory
from tests.helpers import session_queries

DASHBOARD = reverse("engagement:dashboard")
NOW = datetime(2026, 6, 15, 12, 0, tzinfo=timezone.get_default_timezone())


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _at(year, month, day=10):
    return datetime(year, month, day, 10, 0, tzinfo=timezone.get_default_timezone())


@pytest.fixture
def data(frozen, org, other_org):
    """Camden and Hackney people in Data Leaders; a meeting in April and one in May."""
    OrganisationFactory(name="Redbridge", kind="borough", domains=["redbridge.gov.uk"])
    leaders = NetworkFactory(name="Data Leaders")
    scientists = NetworkFactory(name="Data Scientists")
    camden = [UserFactory(organisation=org, full_name=f"Camden {n}") for n in range(4)]
    hackney = [UserFactory(organisation=other_org, full_name=f"Hackney {n}") for n in range(2)]
    for person in camden:
        MembershipFactory(user=person, network=leaders, joined_at=_at(2026, 3))
    for person in hackney:
        MembershipFactory(user=person, network=leaders, joined_at=_at(2026, 5))
    MembershipFactory(
        user=UserFactory(organisation=org),
        network=scientists,
        joined_at=_at(2026, 2),
        status="left",
        left_at=_at(2026, 4),
    )
    april = EventFactory(
        network=leaders,
        kind=Event.Kind.NETWORK_MEETING,
        start=_at(2026, 4),
        end=_at(2026, 4) + timedelta(hours=1),
    )
    may = EventFactory(
        network=leaders,
        kind=Event.Kind.NETWORK_MEETING,
        start=_at(2026, 5),
        end=_at(2026, 5) + timedelta(hours=1),
    )
    statuses = ["attended", "attended", "attended", "no_show"]
    for person, status in zip(camden, statuses, strict=True):
        Registration.objects.create(event=april, user=person, status=status)
    Registration.objects.create(event=may, user=camden[0], status="attended")
    Registration.objects.create(event=may, user=hackney[0], status="attended")
    Registration.objects.create(event=may, user=hackney[1], status="cancelled")
    rollup_refresh()
    return {"leaders": leaders, "scientists": scientists}


def table_of(html, slug):
    """The rows of the table that follows the chart `slug`, as text cells."""
    table = re.search(rf'<table class="govuk-table" data-chart="{slug}">(.*?)</table>', html, re.S).group(1)
    rows = []
    for row in re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", table, re.S)[1:]:
        rows.append(
            [
                re.sub(r"<[^>]+>", "", cell).strip()
                for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
            ]
        )
    return rows


def csv_of(client, slug, **params):
    response = client.get(DASHBOARD, {**params, "csv": slug})
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


# --- the rollups ----------------------------------------------------------------------------


def test_the_rollup_counts_kept_places_attendance_and_members_and_is_the_same_twice(data, org, other_org):
    april = MonthlyAttendance.objects.get(month="2026-04-01")
    assert (april.organisation, april.registered, april.attended, april.no_show) == (org, 4, 3, 1)
    may = {row.organisation: row for row in MonthlyAttendance.objects.filter(month="2026-05-01")}
    assert (may[org].attended, may[other_org].attended, may[other_org].registered) == (
        1,
        1,
        1,
    )  # cancelled not counted
    members = {
        (row.month.isoformat(), row.network.name): (row.joined, row.active)
        for row in MonthlyMembership.objects.filter(organisation=org)
    }
    assert members[("2026-03-01", "Data Leaders")] == (4, 4)
    assert members[("2026-06-01", "Data Leaders")] == (0, 4)
    assert members[("2026-03-01", "Data Scientists")] == (0, 1)
    assert ("2026-04-01", "Data Scientists") not in members  # left in April
    before = sorted(MonthlyAttendance.objects.values_list("month", "organisation", "registered", "attended"))
    rollup_refresh()
    assert (
        sorted(MonthlyAttendance.objects.values_list("month", "organisation", "registered", "attended"))
        == before
    )


# --- what staff see -------------------------------------------------------------------------


def test_staff_see_each_chart_with_its_table_and_csv_of_the_same_numbers(client, staff, data):
    client.force_login(staff)
    response = client.get(DASHBOARD, {"months": 6})
    html = response.content.decode()
    assert response.status_code == 200
    dashboard = response.context["dashboard"]
    assert [section.slug for section in dashboard.sections] == [
        "attendance-by-month",
        "attendance-by-borough",
        "attendance-by-network",
        "active-members",
        "new-members",
        "boroughs-without-members",
    ]
    for section in dashboard.sections:
        svg = str(section.chart)
        assert f'<title id="{section.slug}-title">' in svg and f'<desc id="{section.slug}-desc">' in svg
        table = table_of(html, section.slug)
        assert table == [[_text(cell) for cell in row] for row in section.rows]
        assert csv_of(client, section.slug, months=6) == [section.header, *section.csv_rows()]
    by_month = table_of(html, "attendance-by-month")
    assert by_month[-3:] == [
        ["Apr 2026", "4", "3", "1", "25%"],
        ["May 2026", "2", "2", "0", "0%"],
        ["Jun 2026", "0", "0", "0", "—"],
    ]
    # The chart draws the same numbers: the April bars say 4 registered and 3 attended.
    assert ">4</text>" in str(dashboard.section("attendance-by-month").chart)
    assert table_of(html, "attendance-by-borough") == [
        ["Camden", "0", "0", "0", "3", "1", "0", "4"],
        ["Hackney", "0", "0", "0", "0", "1", "0", "1"],
    ]
    assert "Camden</text>" in str(dashboard.section("attendance-by-borough").chart)
    assert table_of(html, "boroughs-without-members") == [
        ["Data Leaders", "1", "Redbridge"],
        ["Data Scientists", "3", "Camden, Hackney, Redbridge"],
    ]


def _text(cell):
    from engagement.templatetags.engagement import count_cell

    return str(count_cell(cell))


def test_filters_narrow_the_figures_and_a_bad_filter_is_reported(client, staff, data, other_org):
    client.force_login(staff)
    response = client.get(DASHBOARD, {"network": data["scientists"].pk, "months": 6})
    assert all(row[-1] == 0 for row in response.context["dashboard"].section("attendance-by-network").rows)
    response = client.get(DASHBOARD, {"kind": "partner", "months": 6})
    assert response.context["dashboard"].section("attendance-by-month").rows[-3][2] == 0
    response = client.get(DASHBOARD, {"months": "7", "network": "nonsense"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html and "Choose a period from the list" in html
    assert "Choose a network from the list" in html
    assert len(response.context["dashboard"].months) == 12


def test_an_unknown_csv_is_not_found(client, staff, data):
    client.force_login(staff)
    assert client.get(DASHBOARD, {"csv": "salaries"}).status_code == 404


def test_outside_the_staff_view_counts_under_three_are_fewer_than_three(data):
    dashboard = selectors.dashboard_get(filters=selectors.Filters(months=6), suppress=True)
    borough = dashboard.section("attendance-by-borough")
    assert borough.rows[1] == ["Hackney", 0, 0, 0, 0, None, 0, None]
    assert borough.csv_rows()[1][-1] == "fewer than 3"
    assert "fewer than 3" in str(borough.chart)
    assert dashboard.section("attendance-by-month").rows[-2] == ["May 2026", None, None, 0, ""]


@pytest.mark.parametrize("who", ["member", "outsider", "lead", "anonymous"])
def test_nobody_but_staff_sees_the_dashboard(client, request, data, who):
    if who == "lead":
        person = request.getfixturevalue("member")
        MembershipFactory(user=person, network=data["leaders"], role=Membership.Role.LEAD)
    elif who != "anonymous":
        person = request.getfixturevalue(who)
    if who != "anonymous":
        client.force_login(person)
    for response in (client.get(DASHBOARD), client.get(DASHBOARD, {"csv": "attendance-by-borough"})):
        assert response.status_code == (302 if who == "anonymous" else 404)  # signed out: sign in first
        assert (
            "Camden" not in response.content.decode()
            and "Registered and attended" not in response.content.decode()
        )


def test_the_dashboard_refuses_post(client, staff):
    client.force_login(staff)
    assert client.post(DASHBOARD).status_code == 405


def test_staff_have_the_dashboard_in_the_menu_and_members_do_not(client, staff, member):
    client.force_login(staff)
    assert f'href="{DASHBOARD}"' in client.get(reverse("home")).content.decode()
    client.force_login(member)
    assert f'href="{DASHBOARD}"' not in client.get(reverse("home")).content.decode()


# --- the same queries at 1,000 and 20,000 registrations (the benchmark: 100,000) ---------------


def _registrations(total, org):
    """`total` registrations: 100 people at total/100 sessions of one network over the last year."""
    network = NetworkFactory(name="Data Practitioners")
    people = User.objects.bulk_create(
        [
            User(email=f"person{n}@camden.gov.uk", full_name=f"Person {n}", organisation=org)
            for n in range(100)
        ]
    )
    Membership.objects.bulk_create(
        [
            Membership(user=person, network=network, status="active", joined_at=_at(2025, 9))
            for person in people
        ]
    )
    events = Event.objects.bulk_create(
        [
            Event(
                title=f"Meeting {n}",
                slug=f"meeting-{total}-{n}",
                kind=Event.Kind.NETWORK_MEETING,
                network=network,
                start=_at(2025, 7) + timedelta(days=n * 300 // (total // 100)),
                end=_at(2025, 7) + timedelta(days=n * 300 // (total // 100), hours=1),
                status=Event.Status.PUBLISHED,
            )
            for n in range(total // 100)
        ]
    )
    Registration.objects.bulk_create(
        [
            Registration(event=event, user=person, status="attended" if n % 3 else "no_show")
            for event in events
            for n, person in enumerate(people)
        ],
        batch_size=5000,
    )


@pytest.mark.parametrize("total", [1_000, 20_000])
def test_the_dashboard_runs_the_same_queries_at_1000_and_20000_registrations(
    client, staff, org, frozen, total
):
    _registrations(total, org)
    rollup_refresh()
    client.force_login(staff)
    client.get(DASHBOARD)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(DASHBOARD)
    assert response.status_code == 200
    assert sum(row[1] for row in response.context["dashboard"].section("attendance-by-month").rows) == total
    # The session, the person, the filter's networks, the rollups' age, four reads of the rollups,
    # the boroughs and which of them have members.
    assert len(queries) == EXPECTED_QUERIES
    assert len(queries) <= 12


EXPECTED_QUERIES = 9 + session_queries()
