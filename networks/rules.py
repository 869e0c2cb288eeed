"""Who may join which network: the rules as pure functions, with the message to show when not.

Services enforce them; pages use them to decide which button to offer. They read no database:
the caller passes the person's current membership status (or None).
"""

from django.utils import timezone

from accounts.models import Organisation, User
from accounts.selectors import person_awaits_organisation_review, person_organisation

from .models import Membership, Network, NetworkInvitation

# "Data Leaders is for people from London boroughs and public-sector partners."
ORGANISATION_KIND_PLURALS = {
    Organisation.Kind.BOROUGH: "London boroughs",
    Organisation.Kind.PARTNER: "public-sector partners",
    Organisation.Kind.SUPPLIER: "suppliers",
    Organisation.Kind.OTHER: "other organisations",
}


def eligible_organisations_phrase(network: Network) -> str:
    """Who may join, in words: "London boroughs and public-sector partners"; empty if anyone may."""
    names = [ORGANISATION_KIND_PLURALS[kind] for kind in network.eligible_organisation_kinds]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def eligibility_refusal(*, user: User, network: Network) -> str | None:
    """Why the person's organisation may not join the network, or None if it may. Only an
    organisation the person verifiably works for counts (accounts.selectors.person_organisation),
    looked up only when the network names who may join."""
    if network.accepts_any_organisation:
        return None
    organisation = person_organisation(user)
    if network.accepts_organisation(organisation):
        return None
    who = eligible_organisations_phrase(network)
    if organisation is None and person_awaits_organisation_review(user):
        return (
            f"{network.name} is for people from {who}. The networks team is checking that you work "
            f"for {user.requested_organisation_name}: you can join once they have linked your account."
        )
    if organisation is None:
        return (
            f"{network.name} is for people from {who}. Your account is not linked to an "
            "organisation yet: contact the networks team and we will link it."
        )
    return f"{network.name} is for people from {who}, so people from {organisation.name} cannot join it."


def entry_refusal(*, user: User, network: Network, status: str | None) -> str | None:
    """Why the person cannot join or apply to the network whatever its join policy, or None.

    `status` is their current membership status in it, None if they never had one.
    """
    if not network.is_active:
        return f"{network.name} is archived and no longer takes new members."
    if status == Membership.Status.ACTIVE:
        return f"You are already a member of {network.name}."
    if status == Membership.Status.PENDING:
        return (
            f"You have already applied to join {network.name}. We will email you when the "
            "networks team has decided."
        )
    if status == Membership.Status.REMOVED:
        return f"You were removed from {network.name}. Contact the networks team if you would like to rejoin."
    return eligibility_refusal(user=user, network=network)


def policy_refusal(*, network: Network, wanted: str) -> str | None:
    """Why `wanted` (a join policy: open to join, approval to apply) is not how this network is joined."""
    if network.join_policy == wanted:
        return None
    if network.join_policy == Network.JoinPolicy.INVITATION:
        return f"{network.name} is by invitation only. Contact the networks team if you would like to join."
    if network.join_policy == Network.JoinPolicy.APPROVAL:
        return f"{network.name} reviews applications: apply to join it."
    return f"{network.name} is open: you can join it straight away, without applying."


def next_step(*, user: User, network: Network, status: str | None) -> str:
    """What the network's page offers the person, one of:

    sign_in, member, pending, join, apply, invitation_only, refused.
    """
    if not user.is_authenticated:
        return "sign_in"
    if status == Membership.Status.ACTIVE:
        return "member"
    if status == Membership.Status.PENDING:
        return "pending"
    if entry_refusal(user=user, network=network, status=status):
        return "refused"
    return {
        Network.JoinPolicy.OPEN: "join",
        Network.JoinPolicy.APPROVAL: "apply",
    }.get(network.join_policy, "invitation_only")


def invitation_refusal(*, invitation: NetworkInvitation, user: User) -> str | None:
    """Why this person cannot accept this invitation now, or None if they can."""
    if invitation.accepted_at:
        if invitation.accepted_by_id == user.pk:
            return None
        return "This invitation has already been used. Ask the networks team for a new one."
    if invitation.revoked_at:
        return "This invitation has been withdrawn. Contact the networks team if you think this is a mistake."
    if invitation.expires_at <= timezone.now():
        return "This invitation has expired. Ask the networks team for a new one."
    if invitation.email.lower() != user.email.lower():
        return (
            "This invitation was sent to a different email address. Sign out, then sign in with the "
            "address the invitation was sent to."
        )
    if not invitation.network.is_active:
        return f"{invitation.network.name} is archived and no longer takes new members."
    return None
