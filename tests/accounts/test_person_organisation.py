"""The organisation a person verifiably works for, read once per person in a request, with every
field as the ORM gives it."""

from django.db import connection
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext

from accounts.models import Organisation, User
from accounts.selectors import person_is_borough_member, person_organisation
from tests.factories import OrganisationFactory


def test_the_organisation_is_the_one_the_orm_loads(member, org):
    person = User.objects.get(pk=member.pk)  # as signing in loads them
    found = person_organisation(person)
    loaded = Organisation.objects.get(pk=org.pk)
    assert isinstance(found, Organisation) and found.pk == org.pk
    assert model_to_dict(found) == model_to_dict(loaded)
    assert found.created_at == loaded.created_at and found.created_at.utcoffset() is not None
    assert str(found) == "Camden" and found.is_loti_member and found.get_kind_display() == "London borough"
    assert person.organisation is found  # what the rest of the request reads


def test_one_read_however_often_it_is_asked(member):
    person = User.objects.get(pk=member.pk)
    with CaptureQueriesContext(connection) as captured:
        for _ in range(3):
            assert person_is_borough_member(person)
            person_organisation(person)
    assert len(captured) == 1


def test_a_change_of_organisation_in_the_request_is_seen(member, other_org):
    person = User.objects.get(pk=member.pk)
    assert person_organisation(person).name == "Camden"
    person.organisation = other_org
    assert person_organisation(person) == other_org
    person.organisation_id = OrganisationFactory(name="Hackney council", kind="borough").pk
    assert person_organisation(person).name == "Hackney council"
    person.organisation = None
    assert person_organisation(person) is None


def test_nobody_without_a_verified_organisation_has_one(member, db):
    person = User.objects.get(pk=member.pk)
    person.is_active = False
    assert person_organisation(person) is None
    unlinked = User.objects.create_user(email="sam@example.org", full_name="Sam Unlinked")
    with CaptureQueriesContext(connection) as captured:
        assert person_organisation(unlinked) is None
    assert len(captured) == 0
