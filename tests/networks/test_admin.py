import csv
import io

import pytest
from django.urls import reverse

from accounts.models import AuditEntry
from networks import services
from networks.models import Membership, Network, NetworkInvitation
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

MEMBERSHIPS = reverse("admin:networks_membership_changelist")
PENDING = reverse("admin:networks_pendingapplication_changelist")
NETWORKS = reverse("admin:networks_network_changelist")


@pytest.fixture
def application(member, approval_network, answers):
    return services.membership_apply(user=member, network=approval_network, answers=answers)


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def act(client, changelist, action, *memberships, **extra):
    return client.post(
        changelist,
        {"action": action, "_selected_action": [m.pk for m in memberships], "index": 0, **extra},
        follow=True,
    )


def csv_rows(response):
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.mark.parametrize(
    "admin_path",
    [
        NETWORKS,
        MEMBERSHIPS,
        PENDING,
        reverse("admin:networks_network_member_counts"),
        reverse("admin:networks_networkinvitation_changelist"),
    ],
)
def test_people_who_are_not_staff_cannot_reach_network_admin(client, member, admin_path):
    client.force_login(member)
    response = client.get(admin_path)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_an_outsider_cannot_approve_through_admin(client, outsider, application):
    client.force_login(outsider)
    response = act(client, PENDING, "approve", application)
    application.refresh_from_db()
    assert application.is_pending
    assert reverse("admin:login") in response.redirect_chain[0][0]


def test_network_list_shows_member_and_pending_counts(
    staff_client, open_network, approval_network, application
):
    MembershipFactory.create_batch(2, network=open_network)
    response = staff_client.get(NETWORKS)
    assert response.status_code == 200
    html = response.content.decode()
    assert f"{PENDING}?network__id__exact={approval_network.pk}" in html
    assert "1 pending" in html
    assert reverse("admin:networks_network_member_counts") in html
    counts = {network.name: network.member_total for network in response.context["cl"].result_list}
    assert counts == {"Data Leaders": 0, "Data Scientists": 2}


def test_network_page_has_its_roster_and_members_by_organisation(staff_client, open_network, org):
    MembershipFactory(network=open_network, user__full_name="Rosa Roster", user__organisation=org)
    MembershipFactory(network=open_network, status="left", user__full_name="Lee Left")
    response = staff_client.get(reverse("admin:networks_network_change", args=[open_network.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Rosa Roster" in html and "Lee Left" not in html
    assert "<td>Camden</td><td>1</td>" in html
    assert reverse("admin:networks_network_roster", args=[open_network.pk]) in html


def test_member_counts_per_network_and_borough(staff_client, open_network, approval_network, org, other_org):
    MembershipFactory.create_batch(2, network=open_network, user__organisation=org)
    MembershipFactory(network=approval_network, user__organisation=org)
    MembershipFactory(network=open_network, user__organisation=other_org)
    MembershipFactory(
        network=open_network, user__organisation=OrganisationFactory(name="Met", kind="partner")
    )
    MembershipFactory(network=open_network, user__organisation=org, status="pending")
    response = staff_client.get(reverse("admin:networks_network_member_counts"))
    assert response.status_code == 200
    rows = {row["organisation"]: row["counts"] for row in response.context["rows"]}
    # Columns are the networks by name: Data Leaders, Data Scientists.
    assert rows == {"Camden": [1, 2], "Hackney": [0, 1], "Met": [0, 1]}
    assert [row["organisation"] for row in response.context["rows"]][-1] == "Met"  # boroughs first
    assert response.context["totals"] == [1, 4]


def test_memberships_can_be_filtered_and_searched(staff_client, open_network, member, outsider, org):
    MembershipFactory(user=member, network=open_network)
    MembershipFactory(user=outsider, network=open_network, status="pending")
    supplier = UserFactory(organisation=OrganisationFactory(name="Acme", kind="supplier"))
    MembershipFactory(user=supplier, network=open_network)

    def names(query):
        response = staff_client.get(MEMBERSHIPS + query)
        assert response.status_code == 200
        return sorted(m.user.full_name for m in response.context["cl"].result_list)

    assert names("?status__exact=pending") == ["Olly Outsider"]
    assert names(f"?user__organisation__id__exact={org.pk}") == ["Amara Member"]
    assert names("?user__organisation__kind__exact=supplier") == [supplier.full_name]
    assert names("?role__exact=member&network__id__exact=" + str(open_network.pk)) == sorted(
        ["Amara Member", "Olly Outsider", supplier.full_name]
    )
    assert names("?q=amara") == ["Amara Member"]
    assert names("?q=olly@hackney") == ["Olly Outsider"]
    assert names("?q=Acme") == [supplier.full_name]


def test_pending_applications_list_shows_only_pending_oldest_first(
    staff_client, application, open_network, outsider, approval_network, answers
):
    MembershipFactory(network=open_network)
    later = services.membership_apply(user=outsider, network=approval_network, answers=answers)
    response = staff_client.get(PENDING)
    assert list(response.context["cl"].result_list) == [application, later]


def test_approving_in_admin_makes_a_member_and_emails_them(
    staff_client, staff, application, on_commit, mailoutbox
):
    with on_commit():
        response = act(staff_client, PENDING, "approve", application)
    assert "Approved 1 application(s)" in response.content.decode()
    application.refresh_from_db()
    assert application.is_active and application.decided_by == staff
    assert [m.subject for m in mailoutbox] == ["You are now a member of Data Leaders"]
    assert AuditEntry.objects.filter(action="networks.membership.approved", actor=staff).exists()


def test_approving_something_already_decided_is_reported_not_repeated(staff_client, staff, application):
    services.membership_approve(membership=application, acting_user=staff)
    response = act(staff_client, MEMBERSHIPS, "approve", application)
    assert "has already been decided" in response.content.decode()
    assert AuditEntry.objects.filter(action="networks.membership.approved").count() == 1


def test_declining_asks_for_a_reason_then_emails_it(staff_client, application, on_commit, mailoutbox):
    page = act(staff_client, PENDING, "decline", application)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Reason (emailed to each applicant)" in html
    assert "Amara Member" in html
    application.refresh_from_db()
    assert application.is_pending

    blank = staff_client.post(
        PENDING, {"action": "decline", "_selected_action": [application.pk], "reason": "  "}
    )
    assert blank.status_code == 200
    assert "Enter the reason" in blank.content.decode()
    application.refresh_from_db()
    assert application.is_pending

    with on_commit():
        done = staff_client.post(
            PENDING,
            {"action": "decline", "_selected_action": [application.pk], "reason": "For directors only."},
            follow=True,
        )
    assert "Declined 1 application(s)" in done.content.decode()
    application.refresh_from_db()
    assert application.status == Membership.Status.DECLINED
    assert application.decision_reason == "For directors only."
    [email] = mailoutbox
    assert "For directors only." in email.body


def test_the_application_page_shows_answers_history_and_decision_buttons(staff_client, application):
    response = staff_client.get(reverse("admin:networks_pendingapplication_change", args=[application.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "To learn from other boroughs&#x27; data strategies." in html
    assert "Head of service or assistant director" in html
    assert "networks.membership.applied" in html
    assert 'name="action" value="approve"' in html and 'name="action" value="decline"' in html


def test_make_lead_and_remove_actions(staff_client, staff, member, outsider, open_network):
    lead = MembershipFactory(user=member, network=open_network)
    leaver = MembershipFactory(user=outsider, network=open_network)
    act(staff_client, MEMBERSHIPS, "make_lead", lead)
    act(staff_client, MEMBERSHIPS, "remove", leaver)
    lead.refresh_from_db()
    leaver.refresh_from_db()
    assert lead.role == Membership.Role.LEAD
    assert leaver.status == Membership.Status.REMOVED
    actions = set(AuditEntry.objects.filter(actor=staff).values_list("action", flat=True))
    assert actions == {"networks.membership.role_changed", "networks.membership.removed"}


def test_changing_a_role_on_the_membership_page_is_audited(staff_client, member, open_network):
    membership = MembershipFactory(user=member, network=open_network)
    response = staff_client.post(
        reverse("admin:networks_membership_change", args=[membership.pk]), {"role": "co_chair"}
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == Membership.Role.CO_CHAIR
    assert AuditEntry.objects.filter(action="networks.membership.role_changed").count() == 1


def test_saving_an_application_page_changes_nothing(staff_client, application):
    change = reverse("admin:networks_pendingapplication_change", args=[application.pk])
    assert staff_client.post(change, {"role": "lead", "status": "active"}).status_code == 302
    application.refresh_from_db()
    assert application.is_pending and application.role == Membership.Role.MEMBER
    assert not AuditEntry.objects.exclude(action="networks.membership.applied").exists()


def test_memberships_cannot_be_deleted_only_removed(staff_client, member, open_network):
    membership = MembershipFactory(user=member, network=open_network)
    response = staff_client.post(
        reverse("admin:networks_membership_delete", args=[membership.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_staff_can_add_someone_directly(staff_client, member, invitation_network):
    add = reverse("admin:networks_membership_add")
    data = {"user": member.pk, "network": invitation_network.pk, "role": "lead"}
    assert staff_client.post(add, data).status_code == 302
    membership = Membership.objects.get()
    assert membership.is_active and membership.role == "lead"
    assert AuditEntry.objects.filter(action="networks.membership.added").count() == 1

    again = staff_client.post(add, data)
    assert again.status_code == 200
    assert "already a member of Chief Officers" in again.content.decode()
    assert Membership.objects.count() == 1


def test_the_user_field_autocompletes(staff_client, member):
    response = staff_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "networks", "model_name": "membership", "field_name": "user", "term": "amara"},
    )
    assert response.status_code == 200
    assert [result["text"] for result in response.json()["results"]] == ["Amara Member"]


@pytest.mark.parametrize("how", ["network action", "roster link", "membership action"])
def test_roster_export_is_formula_safe_and_audited(staff_client, staff, open_network, org, how):
    evil = UserFactory(
        full_name='=HYPERLINK("http://evil.example","x")', job_title="+44 20", organisation=org
    )
    MembershipFactory(user=evil, network=open_network)
    MembershipFactory(network=open_network, status="pending", user__full_name="Pat Pending")
    if how == "network action":
        response = staff_client.post(
            NETWORKS, {"action": "export_roster", "_selected_action": [open_network.pk], "index": 0}
        )
    elif how == "roster link":
        response = staff_client.get(reverse("admin:networks_network_roster", args=[open_network.pk]))
    else:
        response = staff_client.post(
            MEMBERSHIPS,
            {"action": "export_selected", "_selected_action": [Membership.objects.first().pk], "index": 0},
        )
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="data-scientists-roster.csv"'
    header, *rows = csv_rows(response)
    assert header[:4] == ["Network", "Name", "Email", "Organisation"]
    assert len(rows) == 1  # active members only
    assert rows[0][1] == '\'=HYPERLINK("http://evil.example","x")'
    assert rows[0][6] == "'+44 20"
    entry = AuditEntry.objects.get(action="networks.roster.exported")
    assert entry.actor == staff and entry.data == {"rows": 1}


def test_staff_invite_by_email_from_admin(staff_client, staff, invitation_network, on_commit, mailoutbox):
    add = reverse("admin:networks_networkinvitation_add")
    with on_commit():
        response = staff_client.post(
            add, {"network": invitation_network.pk, "email": "New.Person@Camden.gov.uk"}
        )
    assert response.status_code == 302
    invitation = NetworkInvitation.objects.get()
    assert invitation.email == "new.person@camden.gov.uk" and invitation.invited_by == staff
    [email] = mailoutbox
    assert reverse("networks:invitation-accept", args=[invitation.token]) in email.body

    bad = staff_client.post(add, {"network": invitation_network.pk, "email": "not an email"})
    assert bad.status_code == 200
    assert NetworkInvitation.objects.count() == 1

    change = reverse("admin:networks_networkinvitation_change", args=[invitation.pk])
    detail = staff_client.get(change)
    assert "networks.invitation.created" in detail.content.decode()
    assert staff_client.post(change, {"email": "other@camden.gov.uk"}).status_code == 403
    assert NetworkInvitation.objects.count() == 1


def test_inviting_an_existing_member_is_refused_in_admin(staff_client, member, invitation_network):
    MembershipFactory(user=member, network=invitation_network)
    response = staff_client.post(
        reverse("admin:networks_networkinvitation_add"),
        {"network": invitation_network.pk, "email": member.email},
    )
    assert response.status_code == 200
    assert "already a member of Chief Officers" in response.content.decode()
    assert not NetworkInvitation.objects.exists()


def test_withdrawing_invitations_in_admin(staff_client, staff, member, invitation_network):
    invitation = services.invitation_create(network=invitation_network, email=member.email, invited_by=staff)
    staff_client.post(
        reverse("admin:networks_networkinvitation_changelist"),
        {"action": "revoke", "_selected_action": [invitation.pk], "index": 0},
    )
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert invitation.state == "revoked"


def test_networks_are_archived_not_deleted(staff_client, open_network):
    MembershipFactory(network=open_network)
    response = staff_client.post(
        reverse("admin:networks_network_delete", args=[open_network.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert Membership.objects.filter(network=open_network).exists()


def test_creating_and_editing_a_network_in_admin_is_audited(staff_client, staff):
    add = reverse("admin:networks_network_add")
    data = {
        "name": "Cyber Leaders",
        "slug": "cyber-leaders",
        "summary": "Leaders in cyber security.",
        "description": "",
        "audience": "",
        "status": "active",
        "join_policy": "approval",
        "eligible_organisation_kinds": ["borough"],
        "contact_email": "",
        "meeting_frequency": "quarterly",
        "cadence_week": "1",
        "cadence_weekday": "2",
        "cadence_start_time": "14:00",
        "cadence_duration_minutes": "120",
        "cadence_starts_on": "2027-01-01",
        "meeting_venue": "",
        "meeting_online_url": "",
        "meeting_capacity": "",
        "meetings_horizon_days": "183",
        "reminder_offsets_hours": "[168, 24]",
        "discussion_url": "",
        "memberships-TOTAL_FORMS": 0,
        "memberships-INITIAL_FORMS": 0,
    }
    asked = staff_client.post(add, data)
    assert asked.status_code == 200  # a new cadence: staff first see its next meetings
    assert "The next 6 meetings:" in asked.content.decode()
    assert not Network.objects.filter(slug="cyber-leaders").exists()
    assert staff_client.post(add, {**data, "cadence_checked": "on"}).status_code == 302
    network = Network.objects.get(slug="cyber-leaders")
    assert network.eligible_organisation_kinds == ["borough"]
    assert network.cadence_rrule == "FREQ=MONTHLY;INTERVAL=3;BYDAY=1WE"
    assert network.cadence_in_words == "Meets on the first Wednesday of every three months, 14:00–16:00"
    staff_client.post(
        reverse("admin:networks_network_change", args=[network.pk]),
        {**data, "summary": "Cyber security leaders."},
    )
    entries = AuditEntry.objects.filter(target_type="networks.network").order_by("id")
    assert [(e.action, e.data["fields"], e.actor) for e in entries][-1] == (
        "networks.network.updated",
        ["summary"],
        staff,
    )
    assert entries[0].action == "networks.network.created"


def test_a_reserved_slug_is_refused(staff_client):
    response = staff_client.post(
        reverse("admin:networks_network_add"),
        {
            "name": "Choose",
            "slug": "choose",
            "summary": "x",
            "status": "active",
            "join_policy": "open",
            "meeting_frequency": "none",
            "memberships-TOTAL_FORMS": 0,
            "memberships-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200
    assert "is the address of another page" in response.content.decode()
    assert not Network.objects.exists()


def test_admin_shows_a_clear_message_for_an_incomplete_cadence(staff_client):
    response = staff_client.post(
        reverse("admin:networks_network_add"),
        {
            "name": "Cyber Leaders",
            "slug": "cyber-leaders",
            "summary": "Leaders in cyber security.",
            "status": "active",
            "join_policy": "open",
            "meeting_frequency": "monthly",
            "cadence_week": "2",
            "cadence_start_time": "10:00",
            "cadence_duration_minutes": "90",
            "meetings_horizon_days": "183",
            "reminder_offsets_hours": "[168, 24]",
            "memberships-TOTAL_FORMS": 0,
            "memberships-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200
    assert "Choose which day of the week it meets" in response.content.decode()
    assert not Network.objects.filter(slug="cyber-leaders").exists()
