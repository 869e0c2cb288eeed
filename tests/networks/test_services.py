from datetime import timedelta
from smtplib import SMTPException

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from accounts.models import AuditEntry
from networks import services
from networks.models import Membership, NetworkInvitation
from outbox.models import Email
from outbox.services import REQUEUE_AFTER, emails_send, outbox_sweep
from tests.factories import MembershipFactory, NetworkFactory, OrganisationFactory, UserFactory


def audit_actions(membership):
    entries = AuditEntry.objects.filter(target_type="networks.membership", target_id=str(membership.pk))
    return list(entries.order_by("created_at", "id").values_list("action", flat=True))


def test_joining_an_open_network_is_immediate_audited_and_welcomed(
    member, open_network, on_commit, mailoutbox
):
    with on_commit():
        membership = services.membership_join(user=member, network=open_network)
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE
    assert membership.role == Membership.Role.MEMBER
    assert membership.joined_at is not None
    assert audit_actions(membership) == ["networks.membership.joined"]
    assert AuditEntry.objects.get(action="networks.membership.joined").actor == member
    [email] = mailoutbox
    assert email.to == [member.email]
    assert email.subject == "Welcome to Data Scientists"
    assert open_network.discussion_url in email.body
    assert {mimetype for _, mimetype in email.alternatives} == {"text/html"}


def test_an_approval_network_cannot_be_joined_without_applying(member, approval_network):
    with pytest.raises(ValidationError, match="reviews applications: apply to join it"):
        services.membership_join(user=member, network=approval_network)
    assert not Membership.objects.exists()


@pytest.mark.parametrize("how", ["join", "apply"])
def test_an_invitation_only_network_cannot_be_entered_without_an_invitation(
    member, invitation_network, answers, how
):
    with pytest.raises(ValidationError, match="by invitation only"):
        if how == "join":
            services.membership_join(user=member, network=invitation_network)
        else:
            services.membership_apply(user=member, network=invitation_network, answers=answers)
    assert not Membership.objects.exists()


def test_an_ineligible_organisation_kind_gets_a_clear_message(open_network):
    supplier = OrganisationFactory(name="Acme Analytics", kind="supplier")
    person = UserFactory(email="sam@acme.example", organisation=supplier)
    with pytest.raises(ValidationError) as refused:
        services.membership_join(user=person, network=open_network)
    assert refused.value.messages == [
        "Data Scientists is for people from London boroughs and public-sector partners, so people from "
        "Acme Analytics cannot join it."
    ]
    assert not Membership.objects.exists()


def test_a_person_without_an_organisation_is_told_to_get_it_linked(open_network):
    person = UserFactory(email="new@body.example")
    with pytest.raises(ValidationError, match="not linked to an organisation yet"):
        services.membership_join(user=person, network=open_network)


def test_a_person_awaiting_review_is_told_the_team_is_checking(open_network):
    person = UserFactory(email="new@body.example", requested_organisation_name="New Body")
    with pytest.raises(ValidationError, match="checking that you work for New Body"):
        services.membership_join(user=person, network=open_network)


def test_a_network_open_to_anyone_takes_any_organisation(db):
    network = NetworkFactory(name="Open to all", eligible_organisation_kinds=[])
    person = UserFactory(email="sam@acme.example", organisation=OrganisationFactory(kind="supplier"))
    assert services.membership_join(user=person, network=network).is_active


def test_an_archived_network_takes_no_new_members(member):
    network = NetworkFactory(name="Old network", status="archived")
    with pytest.raises(ValidationError, match="archived"):
        services.membership_join(user=member, network=network)


def test_applying_stores_answers_and_tells_applicant_and_staff(
    member, approval_network, answers, on_commit, mailoutbox, settings
):
    with on_commit():
        membership = services.membership_apply(user=member, network=approval_network, answers=answers)
    membership.refresh_from_db()
    assert membership.status == Membership.Status.PENDING
    assert membership.answers == answers
    assert membership.applied_at is not None
    assert membership.joined_at is None
    assert audit_actions(membership) == ["networks.membership.applied"]
    to_applicant, to_staff = mailoutbox
    assert to_applicant.to == [member.email]
    assert to_applicant.subject == "We have received your application to join Data Leaders"
    assert to_staff.to == [settings.STAFF_NOTIFICATION_EMAIL]
    assert to_staff.subject == "New application to Data Leaders from Amara Member"
    assert answers["reason"] in to_staff.body
    assert "Head of service or assistant director" in to_staff.body
    assert f"/admin/networks/membership/{membership.pk}/change/" in to_staff.body


def test_applying_twice_is_refused_and_changes_nothing(member, approval_network, answers):
    first = services.membership_apply(user=member, network=approval_network, answers=answers)
    with pytest.raises(ValidationError, match="already applied"):
        services.membership_apply(
            user=member, network=approval_network, answers={**answers, "reason": "Again"}
        )
    first.refresh_from_db()
    assert first.answers["reason"] == answers["reason"]
    assert Membership.objects.count() == 1
    assert Email.objects.count() == 2


def test_a_leaders_network_requires_seniority(member, approval_network, answers):
    del answers["seniority"]
    with pytest.raises(ValidationError, match="how senior"):
        services.membership_apply(user=member, network=approval_network, answers=answers)
    assert not Membership.objects.exists()


def test_blank_answers_are_refused(member, approval_network, answers):
    with pytest.raises(ValidationError, match="reason"):
        services.membership_apply(user=member, network=approval_network, answers={**answers, "reason": "  "})
    assert not Membership.objects.exists()


def test_approving_makes_a_member_and_tells_them(
    member, staff, approval_network, answers, on_commit, mailoutbox
):
    membership = services.membership_apply(user=member, network=approval_network, answers=answers)
    with on_commit():
        services.membership_approve(membership=membership, acting_user=staff)
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE
    assert membership.decided_by == staff
    assert membership.decided_at is not None
    assert membership.joined_at is not None
    assert membership.answers == answers
    assert audit_actions(membership) == ["networks.membership.applied", "networks.membership.approved"]
    [email] = mailoutbox
    assert email.to == [member.email]
    assert email.subject == "You are now a member of Data Leaders"
    assert approval_network.discussion_url in email.body


def test_declining_needs_a_reason_and_emails_it(
    member, staff, approval_network, answers, on_commit, mailoutbox
):
    membership = services.membership_apply(user=member, network=approval_network, answers=answers)
    with pytest.raises(ValidationError, match="Enter the reason"):
        services.membership_decline(membership=membership, acting_user=staff, reason="   ")
    membership.refresh_from_db()
    assert membership.is_pending

    with on_commit():
        services.membership_decline(
            membership=membership, acting_user=staff, reason="The network is for heads of service and above."
        )
    membership.refresh_from_db()
    assert membership.status == Membership.Status.DECLINED
    assert membership.decision_reason == "The network is for heads of service and above."
    [email] = mailoutbox
    assert email.subject == "Your application to join Data Leaders"
    assert "The network is for heads of service and above." in email.body
    assert "The network is for heads of service and above." in email.alternatives[0][0]


def test_an_application_is_decided_once(member, staff, approval_network, answers):
    membership = services.membership_apply(user=member, network=approval_network, answers=answers)
    services.membership_approve(membership=membership, acting_user=staff)
    with pytest.raises(ValidationError, match="already been decided"):
        services.membership_decline(membership=membership, acting_user=staff, reason="Changed our minds")
    with pytest.raises(ValidationError, match="already been decided"):
        services.membership_approve(membership=membership, acting_user=staff)
    membership.refresh_from_db()
    assert membership.is_active
    assert audit_actions(membership).count("networks.membership.approved") == 1


def test_a_declined_applicant_may_apply_again(member, staff, approval_network, answers):
    membership = services.membership_apply(user=member, network=approval_network, answers=answers)
    services.membership_decline(membership=membership, acting_user=staff, reason="Not yet")
    again = services.membership_apply(user=member, network=approval_network, answers=answers)
    assert again.pk == membership.pk
    assert again.is_pending
    assert again.decided_by is None and again.decision_reason == ""


def test_leaving_and_rejoining_keeps_one_row_and_its_history(member, staff, open_network):
    membership = services.membership_join(user=member, network=open_network)
    services.membership_set_role(membership=membership, role=Membership.Role.LEAD, acting_user=staff)
    services.membership_leave(membership=membership, acting_user=member)
    membership.refresh_from_db()
    assert membership.status == Membership.Status.LEFT
    assert membership.role == Membership.Role.MEMBER
    assert membership.left_at is not None

    rejoined = services.membership_join(user=member, network=open_network)
    assert rejoined.pk == membership.pk
    assert rejoined.is_active and rejoined.left_at is None
    assert Membership.objects.count() == 1
    assert audit_actions(membership) == [
        "networks.membership.joined",
        "networks.membership.role_changed",
        "networks.membership.left",
        "networks.membership.joined",
    ]
    left = AuditEntry.objects.get(action="networks.membership.left")
    assert left.actor == member and left.data == {"role": "lead"}


def test_withdrawing_a_pending_application(member, approval_network, answers):
    membership = services.membership_apply(user=member, network=approval_network, answers=answers)
    services.membership_leave(membership=membership, acting_user=member)
    membership.refresh_from_db()
    assert membership.status == Membership.Status.LEFT
    assert audit_actions(membership)[-1] == "networks.membership.withdrawn"


def test_leaving_twice_is_refused(member, open_network):
    membership = services.membership_join(user=member, network=open_network)
    services.membership_leave(membership=membership, acting_user=member)
    with pytest.raises(ValidationError, match="not a member"):
        services.membership_leave(membership=membership, acting_user=member)


def test_a_removed_member_cannot_rejoin_by_themselves(member, staff, open_network):
    membership = services.membership_join(user=member, network=open_network)
    services.membership_remove(membership=membership, acting_user=staff, reason="Left the council")
    membership.refresh_from_db()
    assert membership.status == Membership.Status.REMOVED
    assert membership.decided_by == staff
    with pytest.raises(ValidationError, match="You were removed"):
        services.membership_join(user=member, network=open_network)


def test_roles_change_only_for_active_members_and_the_same_role_is_no_change(member, staff, open_network):
    membership = services.membership_join(user=member, network=open_network)
    services.membership_set_role(membership=membership, role=Membership.Role.CO_CHAIR, acting_user=staff)
    services.membership_set_role(membership=membership, role=Membership.Role.CO_CHAIR, acting_user=staff)
    assert audit_actions(membership).count("networks.membership.role_changed") == 1
    services.membership_leave(membership=membership, acting_user=member)
    with pytest.raises(ValidationError, match="not an active member"):
        services.membership_set_role(membership=membership, role=Membership.Role.LEAD, acting_user=staff)
    with pytest.raises(ValidationError, match="not a role"):
        services.membership_set_role(membership=membership, role="emperor", acting_user=staff)


def test_staff_can_add_someone_to_any_network(member, staff, invitation_network, on_commit, mailoutbox):
    with on_commit():
        membership = services.membership_add(
            user=member, network=invitation_network, role=Membership.Role.LEAD, acting_user=staff
        )
    assert membership.is_active and membership.role == Membership.Role.LEAD
    assert membership.decided_by == staff
    assert audit_actions(membership) == ["networks.membership.added"]
    assert [email.to for email in mailoutbox] == [[member.email]]
    with pytest.raises(ValidationError, match="already a member"):
        services.membership_add(
            user=member, network=invitation_network, role=Membership.Role.MEMBER, acting_user=staff
        )


def test_choosing_several_networks_joins_open_ones_and_applies_to_the_others(
    member, open_network, approval_network, answers
):
    memberships = services.memberships_choose(
        user=member, networks=[approval_network, open_network], answers=answers
    )
    assert [(m.network, m.status) for m in memberships] == [
        (approval_network, Membership.Status.PENDING),
        (open_network, Membership.Status.ACTIVE),
    ]


def test_choosing_is_all_or_nothing(member, open_network, invitation_network, answers):
    with pytest.raises(ValidationError, match="by invitation only"):
        services.memberships_choose(user=member, networks=[open_network, invitation_network], answers=answers)
    assert not Membership.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="networks.").exists()


# --- invitations ----------------------------------------------------------------------------


def test_an_invitation_is_emailed_with_a_link_that_works_once(
    member, staff, invitation_network, on_commit, mailoutbox
):
    with on_commit():
        invitation = services.invitation_create(
            network=invitation_network, email="  Amara@Camden.gov.uk ", invited_by=staff
        )
    assert invitation.email == "amara@camden.gov.uk"
    assert len(invitation.token) >= 40
    assert invitation.expires_at - invitation.created_at == timedelta(days=14)
    [email] = mailoutbox
    assert email.to == ["amara@camden.gov.uk"]
    assert f"/networks/invitations/{invitation.token}/" in email.body

    with on_commit():
        membership = services.invitation_accept(invitation=invitation, user=member)
    assert membership.is_active and membership.network == invitation_network
    invitation.refresh_from_db()
    assert invitation.accepted_by == member and invitation.accepted_at is not None
    assert services.invitation_accept(invitation=invitation, user=member) == membership
    assert audit_actions(membership) == ["networks.membership.joined"]
    assert AuditEntry.objects.filter(action="networks.invitation.accepted").count() == 1


def test_an_invitation_is_only_for_the_invited_address(member, outsider, staff, invitation_network):
    invitation = services.invitation_create(network=invitation_network, email=member.email, invited_by=staff)
    with pytest.raises(ValidationError, match="different email address"):
        services.invitation_accept(invitation=invitation, user=outsider)
    services.invitation_accept(invitation=invitation, user=member)
    with pytest.raises(ValidationError, match="already been used"):
        services.invitation_accept(invitation=invitation, user=outsider)
    assert not Membership.objects.filter(user=outsider).exists()


def test_an_expired_invitation_does_not_work(member, staff, invitation_network):
    invitation = services.invitation_create(network=invitation_network, email=member.email, invited_by=staff)
    with (
        time_machine.travel(timezone.now() + timedelta(days=15)),
        pytest.raises(ValidationError, match="expired"),
    ):
        services.invitation_accept(invitation=invitation, user=member)
    assert not Membership.objects.exists()


def test_a_withdrawn_invitation_does_not_work(member, staff, invitation_network):
    invitation = services.invitation_create(network=invitation_network, email=member.email, invited_by=staff)
    services.invitation_revoke(invitation=invitation, acting_user=staff)
    services.invitation_revoke(invitation=invitation, acting_user=staff)
    assert AuditEntry.objects.filter(action="networks.invitation.revoked").count() == 1
    with pytest.raises(ValidationError, match="withdrawn"):
        services.invitation_accept(invitation=invitation, user=member)


def test_an_invitation_brings_back_someone_who_was_removed(member, staff, invitation_network):
    membership = MembershipFactory(user=member, network=invitation_network, status="removed")
    invitation = services.invitation_create(network=invitation_network, email=member.email, invited_by=staff)
    assert services.invitation_accept(invitation=invitation, user=member).pk == membership.pk
    membership.refresh_from_db()
    assert membership.is_active


def test_members_and_archived_networks_are_not_invited(member, staff, invitation_network):
    MembershipFactory(user=member, network=invitation_network)
    with pytest.raises(ValidationError, match="already a member"):
        services.invitation_create(network=invitation_network, email="AMARA@camden.gov.uk", invited_by=staff)
    archived = NetworkFactory(name="Archived", status="archived")
    with pytest.raises(ValidationError, match="archived"):
        services.invitation_create(network=archived, email="someone@camden.gov.uk", invited_by=staff)
    assert not NetworkInvitation.objects.exists()


# --- sending email --------------------------------------------------------------------------


def test_an_owed_email_is_sent_once_however_often_the_task_runs(member, open_network, mailoutbox):
    services.membership_join(user=member, network=open_network)  # on_commit not run: still owed
    email = Email.objects.get()
    assert (email.kind, email.to, email.user, email.about_id) == (
        "networks.joined",
        member.email,
        member,
        open_network.pk,
    )
    assert emails_send(email_ids=[email.pk])["sent"] == 1
    assert emails_send(email_ids=[email.pk])["sent"] == 0
    assert len(mailoutbox) == 1
    email.refresh_from_db()
    assert email.sent_at is not None


class BusyMailServer(BaseEmailBackend):
    """An SMTP server that answers "try again later"."""

    def send_messages(self, email_messages):
        raise SMTPException("421 Service not available, try again later")


def test_a_failed_send_is_released_for_a_retry(member, open_network, mailoutbox, settings):
    services.membership_join(user=member, network=open_network)
    email = Email.objects.get()
    locmem = settings.EMAIL_BACKEND
    settings.EMAIL_BACKEND = f"{__name__}.BusyMailServer"
    assert emails_send(email_ids=[email.pk])["retry"] == 1
    email.refresh_from_db()
    assert email.sent_at is None and email.state == Email.State.PENDING
    assert "try again later" in email.last_error
    settings.EMAIL_BACKEND = locmem
    with time_machine.travel(email.available_at + timedelta(seconds=1)):
        assert emails_send(email_ids=[email.pk])["sent"] == 1
    assert len(mailoutbox) == 1


def test_the_periodic_sweep_sends_emails_whose_task_was_lost(member, open_network, mailoutbox):
    services.membership_join(user=member, network=open_network)
    Email.objects.update(queued_at=timezone.now())  # handed to the broker, which lost it
    assert outbox_sweep()["queued"] == 0  # too recent: its own task may still be on its way
    with time_machine.travel(timezone.now() + REQUEUE_AFTER + timedelta(seconds=1)):
        assert outbox_sweep()["queued"] == 1
        assert outbox_sweep()["queued"] == 0
    assert [email.subject for email in mailoutbox] == ["Welcome to Data Scientists"]


def test_the_sweep_sends_at_once_an_email_nobody_handed_out(member, open_network, mailoutbox):
    services.membership_join(user=member, network=open_network)  # the broker was down at commit
    assert outbox_sweep()["queued"] == 1
    assert [email.subject for email in mailoutbox] == ["Welcome to Data Scientists"]
