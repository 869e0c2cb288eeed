"""The world the permission matrix asks about: real objects that belong to "Olivia Owner"
(see test_permission_matrix)."""

from dataclasses import dataclass, field
from datetime import date, time, timedelta

from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from django.utils import timezone

from accounts.models import OrganisationRequest
from accounts.services import user_complete_profile
from certificates.services import certificate_issue
from events.models import Event, Invitation, Registration
from events.reminders import unsubscribe_token
from events.services import calendar_feed_regenerate, registration_create
from mentoring import circles
from mentoring import services as mentoring_services
from mentoring.models import (
    FocusArea,
    MentoringProfile,
    MentoringProgramme,
    Pairing,
    PeerCircle,
)
from networks.models import Membership, Network
from networks.services import invitation_create, membership_apply
from newsletter import tokens as newsletter_tokens
from newsletter.models import Issue, Subscriber, UnsubscribedAddress
from organisations.services import organisation_lead_add
from tests.factories import EventFactory, MembershipFactory, NetworkFactory, UserFactory, reminder_email


@dataclass
class World:
    people: dict
    objects: dict = field(default_factory=dict)

    def __getitem__(self, key):
        return self.objects[key]


def build_world(*, org, member, staff) -> World:
    """Olivia Owner's world: what each case of the matrix asks for, with `member` as another
    member and `staff` as staff."""
    owner = UserFactory(email="olivia@camden.gov.uk", full_name="Olivia Owner", organisation=org)
    scientists = NetworkFactory(
        name="Data Scientists", join_policy=Network.JoinPolicy.OPEN, eligible_organisation_kinds=["borough"]
    )
    leaders = NetworkFactory(
        name="Data Leaders", join_policy=Network.JoinPolicy.APPROVAL, eligible_organisation_kinds=["borough"]
    )
    archived = NetworkFactory(name="Old Network", status=Network.Status.ARCHIVED)
    chiefs = NetworkFactory(name="Chief Officers", join_policy=Network.JoinPolicy.INVITATION)
    MembershipFactory(user=owner, network=scientists)
    # The owner leads Data Leaders, whose leads decide its applications, and leads Camden.
    Network.objects.filter(pk=leaders.pk).update(leads_decide_applications=True)
    MembershipFactory(user=owner, network=leaders, role=Membership.Role.LEAD)
    MembershipFactory(user=owner, network=archived)
    organisation_lead_add(user=owner, organisation=org, acting_user=staff)
    applicant = UserFactory(email="pat@camden.gov.uk", organisation=org)
    answers = {"job_title": "Analyst", "organisation": "Camden", "reason": "To learn."}
    application = membership_apply(user=applicant, network=leaders, answers=answers)
    elsewhere = membership_apply(
        user=UserFactory(email="ed@camden.gov.uk", organisation=org),
        network=NetworkFactory(name="Elsewhere", join_policy=Network.JoinPolicy.APPROVAL),
        answers=answers,
    )

    public = EventFactory(title="Public session", slug="public-session", network=scientists)
    draft = EventFactory(title="Draft session", slug="draft-session", status=Event.Status.DRAFT)
    private = EventFactory(
        title="Private session", slug="private-session", audience=Event.Audience.INVITATION
    )
    Invitation.objects.create(event=private, email=owner.email, invited_by=staff)
    registration_create(event=public, user=owner, answers={}, acting_user=owner)
    registration_create(event=private, user=owner, answers={}, acting_user=owner)
    reminder_email(event=public, user=owner, offset_hours=24)
    started = timezone.now() - timedelta(days=3)
    course = EventFactory(
        title="Past course",
        slug="past-course",
        kind=Event.Kind.TRAINING,
        start=started,
        end=started + timedelta(hours=2),
    )
    course_place = Registration.objects.create(event=course, user=owner, status=Registration.Status.ATTENDED)
    guest_place = Registration.objects.create(
        event=course, guest_name="Gail Guest", guest_email="gail@gmail.example", status="attended"
    )

    subscriber = Subscriber.objects.create(email=owner.email, user=owner, status="subscribed")
    UnsubscribedAddress.objects.create(email_hash=newsletter_tokens.email_hash("gone@example.org"))
    sent_issue = Issue.objects.create(
        subject="Sent issue", body="Hello", status="sent", sent_at=timezone.now()
    )
    draft_issue = Issue.objects.create(subject="Draft issue", body="Not yet")
    mentoring = _mentoring_world(owner=owner, staff=staff, scientists=scientists, leaders=leaders)

    unconfirmed = EmailAddress.objects.create(user=owner, email="olivia.o@camden.gov.uk", verified=False)
    claimant = UserFactory(email="chris@gmail.example", full_name="Chris Claimant")
    user_complete_profile(
        user=claimant, full_name="Chris Claimant", job_title="Analyst", chosen_organisation=org
    )
    world = World(people={"other_member": member, "staff": staff, "owner": owner})
    world.objects.update(
        owner=owner,
        scientists=scientists,
        leaders=leaders,
        archived=archived,
        public=public,
        draft=draft,
        private=private,
        invitation=invitation_create(network=chiefs, email=owner.email, invited_by=staff),
        feed=calendar_feed_regenerate(user=owner),
        unsubscribe=unsubscribe_token(user_id=owner.pk, network_id=scientists.pk),
        confirmation_key=EmailConfirmationHMAC(unconfirmed).key,
        reset=(user_pk_to_url_str(owner), default_token_generator.make_token(owner)),
        registration=Registration.objects.get(event=public, user=owner),
        sent_issue=sent_issue,
        draft_issue=draft_issue,
        newsletter_confirm=newsletter_tokens.confirm_token(
            subscriber_id=subscriber.pk, email=subscriber.email
        ),
        newsletter_unsubscribe=newsletter_tokens.unsubscribe_token(
            subscriber_id=subscriber.pk, email=subscriber.email
        ),
        digest_off=newsletter_tokens.digest_off_token(user_id=owner.pk, network_ids=[scientists.pk]),
        **mentoring,
        application=application,
        elsewhere=elsewhere,
        claim=OrganisationRequest.objects.get(user=claimant),
        course=course,
        certificate=certificate_issue(registration=course_place),
        guest_place=guest_place,
        **_followup_world(owner=owner, staff=staff, scientists=scientists),
    )
    return world


def _followup_world(*, owner, staff, scientists) -> dict:
    """A session of Data Scientists held yesterday that the owner attended, with slides shared."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from followup.services import material_add

    start = timezone.now() - timedelta(days=1, hours=2)
    held = EventFactory(
        title="Held session",
        slug="held-session",
        network=scientists,
        start=start,
        end=start + timedelta(hours=1),
    )
    Registration.objects.create(event=held, user=owner, status=Registration.Status.ATTENDED)
    material = material_add(
        event=held, kind="slides", title="Olivia's session slides", acting_user=staff,
        upload=SimpleUploadedFile("slides.pdf", b"%PDF-1.7\n%%EOF\n"), content_type="application/pdf",
    )  # fmt: skip
    return {"held": held, "material": material}


PRIVATE_NOTE = "Olivia's private check-in note"


def _mentoring_world(*, owner, staff, scientists, leaders) -> dict:
    """The owner is a mentee in an active pairing (with a private note) in Data Scientists'
    programme, has a request waiting in Data Leaders' programme, and is in a Data Scientists circle."""
    area = FocusArea.objects.create(name="Leadership")
    programmes = {}
    for network, mode in ((scientists, "staff"), (leaders, "request")):
        programmes[mode] = MentoringProgramme.objects.create(
            network=network,
            name=f"{network.name} mentoring",
            slug=f"{network.slug}-mentoring",
            is_open=True,
            starts_on=date(2026, 1, 1),
            ends_on=date(2030, 1, 1),
            matching_mode=mode,
            code_of_conduct="Be kind.",
        )
        programmes[mode].focus_areas.add(area)
        mentor = UserFactory(full_name=f"Mentor in {network.name}")
        MembershipFactory(user=mentor, network=network)
        for person, role in ((owner, "mentee"), (mentor, "mentor")):
            profile = mentoring_services.profile_save_about(
                programme=programmes[mode], user=person, role=role, meeting_format="either",
                prefers_outside_organisation=False, capacity=1 if role == "mentor" else 0, about="",
                show_job_title=True, show_organisation=True,
            )  # fmt: skip
            mentoring_services.profile_save_goals(profile=profile, focus_areas=[area], goals=["Grow"])
            mentoring_services.profile_accept_code_of_conduct(profile=profile)
        if mode == "staff":
            mentoring_services.pairings_confirm(
                programme=programmes[mode], pairs=[(owner.pk, mentor.pk)], acting_user=staff
            )
            pairing = mentoring_services.pairing_accept(
                pairing=Pairing.objects.get(mentee=owner), acting_user=mentor
            )
            mentoring_services.check_in_log(
                pairing=pairing, user=owner, met_on=date.today(), note=PRIVATE_NOTE
            )
        else:
            request = mentoring_services.request_create(
                programme=programmes[mode], mentee=owner, mentor_ids=[mentor.pk]
            )
    circle = circles.circle_save(
        circle=PeerCircle(
            network=scientists, name="Lunch circle", slug="lunch-circle", cadence_week=1, cadence_weekday=1,
            cadence_start_time=time(12, 30), cadence_starts_on=date(2026, 1, 1),
        ),
        changed_fields=[],
        acting_user=staff,
    )  # fmt: skip
    circles.circle_member_add(circle=circle, user=owner, acting_user=staff)
    circles.circle_placement_request(network=leaders, user=owner, note="Evenings")
    return {
        "programme": programmes["staff"],
        "request_programme": programmes["request"],
        "profile": MentoringProfile.objects.get(programme=programmes["staff"], user=owner),
        "pairing": pairing,
        "mentoring_request": request,
        "circle": circle,
    }
