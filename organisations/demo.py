"""Camden's organisation lead for the demo: Amara Okafor, who can confirm Alex Turner (awaiting
review, accounts.demo) and invite colleagues."""

from accounts.models import Organisation, User

from .models import OrganisationLead

LEADS = [("amara.okafor@camden.gov.uk", "Camden")]


def load(stdout=None) -> None:
    for email, organisation_name in LEADS:
        user = User.objects.filter(email=email).first()
        organisation = Organisation.objects.filter(name=organisation_name).first()
        if user and organisation and user.organisation_id == organisation.pk:
            OrganisationLead.objects.get_or_create(user=user, organisation=organisation)
    if stdout:
        stdout.write(f"Organisation leads: {OrganisationLead.objects.count()}")
