import pytest

from accounts.selectors import organisation_for_email
from tests.factories import OrganisationFactory


@pytest.fixture
def camden(db):
    return OrganisationFactory(name="Camden", domains=["camden.gov.uk"])


@pytest.mark.parametrize(
    "email",
    ["a.person@camden.gov.uk", "A.Person@CAMDEN.GOV.UK", "someone@housing.camden.gov.uk", "x@camden.gov.uk."],
)
def test_exact_domain_subdomain_and_any_case_match(camden, email):
    assert organisation_for_email(email=email) == camden


@pytest.mark.parametrize(
    "email",
    [
        "spoof@camden.gov.uk.example.com",
        "spoof@notcamden.gov.uk",
        "spoof@camden-gov.uk",
        "spoof@gov.uk",
        "someone@gmail.com",
        "no-at-sign",
        "",
    ],
)
def test_lookalike_and_unknown_domains_do_not_match(camden, email):
    assert organisation_for_email(email=email) is None


def test_longest_listed_domain_wins(camden):
    housing = OrganisationFactory(name="Camden Housing", domains=["housing.camden.gov.uk"])
    assert organisation_for_email(email="a@housing.camden.gov.uk") == housing
    assert organisation_for_email(email="a@camden.gov.uk") == camden
