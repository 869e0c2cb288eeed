from datetime import timedelta

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import Organisation, OrganisationDomain, User
from events.models import Event, Question, Registration, Speaker
from networks.models import Membership, Network

PASSWORD = "correct-horse-battery"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("name",)
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = Organisation.Kind.BOROUGH
    membership_status = Organisation.MembershipStatus.MEMBER

    @factory.post_generation
    def domains(self, create, extracted, **kwargs):
        for domain in extracted or []:
            OrganisationDomain.objects.get_or_create(domain=domain, defaults={"organisation": self})


class UserFactory(factory.django.DjangoModelFactory):
    """A person with a verified primary email who can sign in with PASSWORD."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.gov.uk")
    full_name = factory.Faker("name", locale="en_GB")
    job_title = "Data Analyst"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        password = kwargs.pop("password", PASSWORD)
        user = model_class.objects.create_user(*args, password=password, **kwargs)
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        return user


class NetworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Network
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Network {n}")
    slug = factory.LazyAttribute(lambda network: slugify(network.name))
    summary = "People who work with data, sharing what works."
    audience = "Anyone in a London borough who works with data."
    description = "Members meet to share **what works**."
    join_policy = Network.JoinPolicy.OPEN
    meeting_frequency = Network.MeetingFrequency.MONTHLY
    contact_email = "networks@loti.example"


class MembershipFactory(factory.django.DjangoModelFactory):
    """An active member by default; pass status="pending" for an application."""

    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    network = factory.SubFactory(NetworkFactory)
    status = Membership.Status.ACTIVE
    role = Membership.Role.MEMBER
    joined_at = factory.Maybe(
        factory.LazyAttribute(lambda membership: membership.status == Membership.Status.ACTIVE),
        yes_declaration=factory.LazyFunction(timezone.now),
        no_declaration=None,
    )
    applied_at = factory.Maybe(
        factory.LazyAttribute(lambda membership: membership.status == Membership.Status.PENDING),
        yes_declaration=factory.LazyFunction(timezone.now),
        no_declaration=None,
    )


class EventFactory(factory.django.DjangoModelFactory):
    """A published session a fortnight from now, online, open to anyone signed in."""

    class Meta:
        model = Event

    title = factory.Sequence(lambda n: f"Session {n}")
    slug = factory.Sequence(lambda n: f"session-{n}")
    summary = "A session for London's boroughs and partners."
    kind = Event.Kind.DISCOVERY
    start = factory.LazyFunction(lambda: timezone.now().replace(microsecond=0) + timedelta(days=14))
    end = factory.LazyAttribute(lambda event: event.start + timedelta(hours=2))
    online_url = "https://meet.loti.example/session"
    status = Event.Status.PUBLISHED
    audience = Event.Audience.SIGNED_IN


class SpeakerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Speaker

    event = factory.SubFactory(EventFactory)
    name = factory.Faker("name", locale="en_GB")
    organisation = "Office for National Statistics"
    role = "Trainer"


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    event = factory.SubFactory(EventFactory)
    text = "Your role"
    kind = Question.Kind.ONE_CHOICE
    options = "Temporary accommodation service lead\nCommissioner\nHostel manager"
    required = True


class RegistrationFactory(factory.django.DjangoModelFactory):
    """A confirmed place; pass status=Registration.Status.WAITLISTED and a waitlist_position for
    the queue."""

    class Meta:
        model = Registration

    event = factory.SubFactory(EventFactory)
    user = factory.SubFactory(UserFactory)
    status = Registration.Status.CONFIRMED

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # Made here, not through the services: count the event's places as they would, and
        # renew the versions of the pages showing them as their commit would.
        from django.test import TestCase

        from events.services.counts import event_counts_refresh

        registration = super()._create(model_class, *args, **kwargs)
        with TestCase.captureOnCommitCallbacks(execute=True):
            event_counts_refresh(event_id=registration.event_id)
        return registration


def reminder_email(*, event, user, offset_hours: int, state: str = "pending", sent_at=None):
    """A reminder row in the outbox, as the reminders job writes it."""
    from events.emails import REMINDER
    from events.reminders import reminder_dedup_key
    from outbox.models import Email

    return Email.objects.create(
        kind=REMINDER,
        to=user.email,
        user=user,
        about_type="events.event",
        about_id=event.pk,
        data={"offset_hours": offset_hours},
        dedup_key=reminder_dedup_key(event_id=event.pk, user_id=user.pk, offset_hours=offset_hours),
        state=state,
        sent_at=sent_at,
    )
