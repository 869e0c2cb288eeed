import pytest
from django.contrib.auth.models import Group

from accounts.permissions import NETWORK_MANAGERS, staff_groups_sync
from tests.factories import UserFactory


@pytest.fixture
def manager(db):
    staff_groups_sync()
    user = UserFactory(email="manager@loti.london", is_staff=True)
    user.groups.add(Group.objects.get(name=NETWORK_MANAGERS))
    return user


def test_network_managers_run_networks_and_sessions_but_only_view_accounts(manager):
    assert manager.has_perm("networks.change_membership")
    assert manager.has_perm("events.add_event")
    assert manager.has_perm("events.change_registration")
    assert manager.has_perm("accounts.view_user")
    assert not manager.has_perm("accounts.change_user")
    assert not manager.has_perm("accounts.delete_organisation")
    assert not manager.has_perm("auth.change_group")


def test_network_manager_admin_cannot_edit_accounts(client, manager):
    target = UserFactory(email="someone@camden.gov.uk")
    client.force_login(manager)
    assert client.get("/admin/").status_code == 200
    assert client.get(f"/admin/accounts/user/{target.pk}/change/").status_code == 200  # view only
    response = client.post(f"/admin/accounts/user/{target.pk}/change/", {"email": "x@y.z", "full_name": "X"})
    assert response.status_code == 403
    target.refresh_from_db()
    assert target.email == "someone@camden.gov.uk"


def test_members_cannot_reach_admin(client, member):
    client.force_login(member)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_sync_is_idempotent(db):
    staff_groups_sync()
    first = set(Group.objects.get(name=NETWORK_MANAGERS).permissions.values_list("codename", flat=True))
    staff_groups_sync()
    assert (
        set(Group.objects.get(name=NETWORK_MANAGERS).permissions.values_list("codename", flat=True)) == first
    )


def test_network_managers_see_the_emails_and_send_a_failed_one_again(client, manager):
    from outbox.models import Email

    failed = Email.objects.create(kind="networks.joined", to="someone@camden.gov.uk", state="failed")
    client.force_login(manager)
    assert client.get("/admin/outbox/email/").status_code == 200
    client.post("/admin/outbox/email/", {"action": "send_again", "_selected_action": [failed.pk]})
    failed.refresh_from_db()
    assert failed.state != Email.State.FAILED
