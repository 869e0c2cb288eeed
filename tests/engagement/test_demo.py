"""The demo's past year: `load_demo` leaves the engagement dashboard with a year of attendance
across most boroughs, joins and leavers, and boroughs with nobody; twice is the same as once; and
every demo account shares one password hash, so `make run` stays quick."""

import io

from django.contrib.auth import hashers
from django.core.management import call_command
from django.urls import reverse

from accounts import demo as accounts_demo
from accounts.models import Organisation, User
from engagement.demo import NOBODY_FROM
from events.models import Registration
from networks.models import Membership


def _load():
    call_command("load_demo", stdout=io.StringIO())


def _counts():
    return (User.objects.count(), Membership.objects.count(), Registration.objects.count())


def test_the_demo_gives_the_dashboard_a_year_of_attendance_by_borough(client, db):
    _load()
    first = _counts()
    _load()
    assert _counts() == first

    client.force_login(User.objects.get(email="networks@loti.london"))
    dashboard = client.get(reverse("engagement:dashboard")).context["dashboard"]
    by_month = dashboard.section("attendance-by-month").rows
    assert sum(1 for row in by_month if row[2]) >= 10  # attended, in 10 of the last 12 months
    assert sum(1 for row in by_month if row[3]) >= 6  # and somebody did not come
    boroughs = [row[0] for row in dashboard.section("attendance-by-borough").rows]
    assert len(boroughs) >= 20 and "Camden" in boroughs
    networks = [row[0] for row in dashboard.section("attendance-by-network").rows]
    assert {"Data Leaders", "Data Practitioners", "Data Scientists"} <= set(networks)
    assert sum(1 for row in dashboard.section("new-members").rows if row[1]) >= 8
    [practitioners] = [
        row for row in dashboard.section("active-members").rows if row[0] == "Data Practitioners"
    ]
    assert practitioners[-1] > practitioners[1] > 0  # it grew over the year
    missing = {row[0]: row[2] for row in dashboard.section("boroughs-without-members").rows}
    assert all(borough in missing["Data Practitioners"] for borough in NOBODY_FROM)
    assert Membership.objects.filter(status=Membership.Status.LEFT).exists()

    # Camden's lead sees Camden's year, with small counts hidden.
    client.force_login(User.objects.get(email="amara.okafor@camden.gov.uk"))
    camden = client.get(reverse("organisations:engagement")).context["dashboard"]
    assert [row[0] for row in camden.section("attendance-by-borough").rows] == ["Camden"]
    assert sum(row[2] or 0 for row in camden.section("attendance-by-month").rows) >= 10
    assert (
        Organisation.objects.get(name="Camden").people.filter(registrations__isnull=False).distinct().count()
        >= 5
    )


def test_every_demo_account_shares_one_password_hash(client, db, monkeypatch):
    made = []
    original = hashers.make_password

    def counting(password, *args, **kwargs):
        if password is not None:
            made.append(password)
        return original(password, *args, **kwargs)

    monkeypatch.setattr(hashers, "make_password", counting)
    monkeypatch.setattr(accounts_demo, "make_password", counting)
    monkeypatch.setattr("django.contrib.auth.base_user.make_password", counting)
    accounts_demo.demo_password_hash.cache_clear()
    _load()
    assert made == [accounts_demo.DEMO_PASSWORD]
    assert User.objects.count() > 100
    assert client.login(email="priya.shah@redbridge.gov.uk", password=accounts_demo.DEMO_PASSWORD)
    someone = User.objects.filter(email__endswith="@southwark.gov.uk").exclude(registrations=None).first()
    assert client.login(email=someone.email, password=accounts_demo.DEMO_PASSWORD)
