import factory
from allauth.account.models import EmailAddress

from accounts.models import Organisation, OrganisationDomain, User

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
