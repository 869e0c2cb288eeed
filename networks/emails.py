"""The emails about memberships, applications and invitations, written at send time (see
outbox.kinds) from the membership or invitation as it is then; a decline's reason is kept as it
was given."""

from django.urls import reverse

from loti_portal.emails import email_build
from loti_portal.utils import absolute_url
from outbox.kinds import email_kind
from outbox.models import Email

from .models import Membership, NetworkInvitation, NetworkMessage

APPLICATION_RECEIVED = "networks.application_received"
APPLICATION_TO_STAFF = "networks.application_to_staff"
APPLICATION_APPROVED = "networks.application_approved"
APPLICATION_DECLINED = "networks.application_declined"
JOINED = "networks.joined"
INVITATION = "networks.invitation"
MESSAGE = "networks.message"
MESSAGE_COPY_TO_STAFF = "networks.message_copy_to_staff"

_LABELS = {
    APPLICATION_RECEIVED: "Application received (to the applicant)",
    APPLICATION_TO_STAFF: "New application (to staff)",
    APPLICATION_APPROVED: "Application approved",
    APPLICATION_DECLINED: "Application declined",
    JOINED: "Welcome to the network",
    INVITATION: "Invitation to a network",
}


def _network_email(email: Email, shared: dict):
    membership = invitation = None
    if email.data.get("membership_id"):
        membership = (
            Membership.objects.select_related("network", "user__organisation")
            .filter(pk=email.data["membership_id"])
            .first()
        )
        if membership is None:
            return None
    if email.data.get("invitation_id"):
        invitation = (
            NetworkInvitation.objects.select_related("network").filter(pk=email.data["invitation_id"]).first()
        )
        if invitation is None or invitation.revoked_at is not None:
            return None
    if membership is None and invitation is None:
        return None
    network = membership.network if membership else invitation.network
    context = {
        "network": network,
        "network_url": absolute_url(reverse("networks:network-detail", args=[network.slug])),
        "my_networks_url": absolute_url(reverse("networks:my-networks")),
        "data": email.data,
    }
    if membership is not None:
        context.update(
            membership=membership,
            person=membership.user,
            review_url=absolute_url(reverse("admin:networks_membership_change", args=[membership.pk])),
        )
    if invitation is not None:
        context.update(
            invitation=invitation,
            accept_url=absolute_url(reverse("networks:invitation-accept", args=[invitation.token])),
        )
    template = "networks-" + email.kind.removeprefix("networks.").replace("_", "-")
    return email_build(template=template, to=[email.to], context=context)


for _kind, _label in _LABELS.items():
    email_kind(_kind, _label)(_network_email)


@email_kind(MESSAGE, "Message to a network's members")
@email_kind(MESSAGE_COPY_TO_STAFF, "Copy of a message to a network's members (to staff)")
def _network_message_email(email: Email, shared: dict):
    """A lead's message to the members; a member who left since it was written is not sent it."""
    message = (
        NetworkMessage.objects.select_related("network", "sent_by__organisation")
        .filter(pk=email.data.get("message_id"))
        .first()
    )
    if message is None:
        return None
    person = None
    if email.kind == MESSAGE:
        membership = (
            Membership.objects.select_related("user")
            .filter(pk=email.data.get("membership_id"), status=Membership.Status.ACTIVE)
            .first()
        )
        if membership is None:
            return None
        person = membership.user
    network = message.network
    context = {
        "message": message,
        "network": network,
        "person": person,
        "sender": message.sent_by,
        "network_url": absolute_url(reverse("networks:network-detail", args=[network.slug])),
        "notifications_url": absolute_url(reverse("networks:my-networks")),
    }
    reply_to = [message.sent_by.email] if message.sent_by else []
    return email_build(template="networks-message", to=[email.to], context=context, reply_to=reply_to)
