"""Demo: Amara's certificate for the last run of the ONS course she attended, so the public check
page has a code to confirm (`make run`). Safe to run twice: a registration has one certificate."""

from events.models import Registration

from .services import CertificateRefused, certificate_issue


def load(*, stdout) -> None:
    registration = Registration.objects.filter(
        event__slug="introduction-to-data-for-senior-leaders-last-run",
        user__email="amara.okafor@camden.gov.uk",
        status=Registration.Status.ATTENDED,
    ).first()
    if registration is None:
        return
    try:
        certificate = certificate_issue(registration=registration)
    except CertificateRefused:
        return
    stdout.write(f"Demo certificate for {registration.person_name}: /certificates/{certificate.code}/\n")
